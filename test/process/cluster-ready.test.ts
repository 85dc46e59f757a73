/**
 * A cluster starting (`npm start` on PostgreSQL, two processes): /ready answers 503 while the worker
 * does not serve yet, even once the primary does, so a load balancer does not put every connection
 * it opens on the primary; it answers 200 once both serve. The worker is held stopped (SIGSTOP) from
 * its fork until the primary has logged that it is ready.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_ADMIN_TOKEN } from "../support/app.js";
import { createTestDatabase, type TestDatabase } from "../support/db.js";
import { freePort } from "../support/free-port.js";

const root = join(import.meta.dirname, "../..");

/** Pids of `parent`'s child node processes (not tsx's esbuild service), from /proc (Linux). */
function childrenOf(parent: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const command = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      if (command === "node" && Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === parent) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

describe.skipIf(!process.env.TEST_DATABASE_URL)("/ready of a cluster starting", () => {
  let database: TestDatabase;
  let child: ChildProcessWithoutNullStreams | undefined;
  let stopped: number | undefined;
  beforeAll(async () => {
    database = await createTestDatabase("postgres");
  });
  afterAll(async () => {
    if (stopped !== undefined) {
      try {
        process.kill(stopped, "SIGKILL");
      } catch {
        // already gone
      }
    }
    child?.kill("SIGKILL");
    await database?.close();
  });

  it("answers 503 until every worker listens, then 200", { timeout: 120_000 }, async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
      cwd: root,
      env: {
        PATH: process.env.PATH ?? "",
        PORT: String(port),
        HOST: "127.0.0.1",
        LOG_LEVEL: "info",
        DATABASE_URL: database.url!,
        FAREBOX_WORKERS: "2",
        FAREBOX_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
        FAREBOX_BYOK_MASTER_KEY: randomBytes(32).toString("hex"),
      },
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const readyPids = () =>
      output
        .split("\n")
        .filter((line) => line.startsWith("{"))
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((line) => line.msg === "farebox ready")
        .map((line) => line.pid as number);

    // the worker forked is stopped before it can load anything, let alone serve
    await expect.poll(() => childrenOf(child!.pid!).length, { timeout: 10_000, interval: 1 }).toBeGreaterThan(0);
    stopped = Math.min(...childrenOf(child.pid!));
    process.kill(stopped, "SIGSTOP");

    await expect.poll(readyPids, { timeout: 60_000, interval: 100 }).toHaveLength(1);
    expect(readyPids()).not.toContain(stopped);
    const waiting = await fetch(`${url}/ready`);
    expect(waiting.status).toBe(503);
    expect(await waiting.json()).toMatchObject({ error: { code: 503 } });
    expect((await fetch(`${url}/health`)).status).toBe(200);

    process.kill(stopped, "SIGCONT");
    await expect.poll(async () => (await fetch(`${url}/ready`)).status, { timeout: 60_000, interval: 100 }).toBe(200);
    await expect.poll(readyPids, { timeout: 10_000, interval: 100 }).toHaveLength(2);
  });
});
