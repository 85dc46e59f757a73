/**
 * Spawns test/support/gateway-process.ts (the real app in its own process) and resolves its URL once
 * it listens, so a test can kill it with SIGKILL.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { join } from "node:path";

const root = join(import.meta.dirname, "../..");

/** A gateway process with `env` (DATABASE_URL, UPSTREAM_URL, HOLD_TTL_MS, ADMIN_TOKEN, EXTRA_CONFIG). */
export function spawnGateway(env: Record<string, string>): { child: ChildProcessWithoutNullStreams; url: Promise<string> } {
  const child = spawn(process.execPath, ["--import", "tsx", "test/support/gateway-process.ts"], { cwd: root, env: { PATH: process.env.PATH ?? "", ...env } });
  const url = new Promise<string>((resolve, reject) => {
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const match = /\{"url":"([^"]+)"\}/.exec(output);
      if (match?.[1]) resolve(match[1]);
    });
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("exit", (code) => reject(new Error(`gateway exited ${code} before listening:\n${output}`)));
  });
  return { child, url };
}
