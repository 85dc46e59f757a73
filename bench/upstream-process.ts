/** The benchmark's fake OpenAI upstream (bench/upstream-server.ts) in its own process. */
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";

/** Starts the upstream and resolves with its process and URL once it listens. */
export function startUpstream(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "bench/upstream-server.ts"], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).once("line", (line) => resolve({ child, url: (JSON.parse(line) as { url: string }).url }));
    child.once("exit", (code) => reject(new Error(`upstream exited with ${code}`)));
  });
}
