/**
 * The cluster's primary with two workers on one port: a connection opened while one worker is
 * busy is served by the idle one. (Node's round robin hands each worker connections in turn and
 * leaves one queued at a busy worker until its event loop comes back; each worker accepting for
 * itself does not.)
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { request } from "node:http";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { freePort } from "../support/free-port.js";

const root = join(import.meta.dirname, "../..");

/** GET `path` on a connection of its own; resolves with the answering worker's pid. */
function pidAnswering(port: number, path = "/"): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, agent: false }, (response) => {
      let body = "";
      response.on("data", (chunk: Buffer) => (body += chunk.toString()));
      response.on("end", () => resolve(Number(body)));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("the cluster primary", () => {
  let child: ChildProcessWithoutNullStreams | undefined;
  const pids = new Set<number>();
  afterEach(() => {
    for (const pid of pids) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    child?.kill("SIGKILL");
  });

  it("lets an idle worker take every new connection while the other worker is busy", { timeout: 60_000 }, async () => {
    const port = await freePort();
    child = spawn(process.execPath, ["--import", "tsx", "test/support/cluster-primary-harness.ts"], {
      cwd: root,
      env: { PATH: process.env.PATH ?? "", PORT: String(port), BLOCK_MS: "10000" },
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    await expect.poll(() => output, { timeout: 30_000, interval: 100 }).toContain("every worker is listening");

    const busy = await pidAnswering(port, "/block");
    pids.add(busy);
    const answered = await Promise.all(Array.from({ length: 6 }, () => pidAnswering(port)));
    for (const pid of answered) pids.add(pid);
    expect(answered.filter((pid) => pid === busy)).toEqual([]);
    expect(new Set(answered).size).toBe(1);
  });
});
