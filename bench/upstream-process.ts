/** The benchmark's own servers (the fake OpenAI upstream, the bare Node proxy), each in its own process. */
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";

/** Starts a bench server script and resolves with its process and URL once it printed it (JSON). */
export function startBenchServer(script: string, ...args: string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", script, ...args], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).once("line", (line) => resolve({ child, url: (JSON.parse(line) as { url: string }).url }));
    child.once("exit", (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}

/** The fake upstream (bench/upstream-server.ts). */
export const startUpstream = () => startBenchServer("bench/upstream-server.ts");
