/**
 * What `npm start` runs: src/start.js has src/build.ts compile the server into dist/server when it
 * is stale (and only then: without TypeScript's loader otherwise), then runs the compiled main.js
 * in its own process, which serves exactly as the TypeScript sources do: it finds the migrations
 * and the dashboard relative to the checkout, says it is ready, and drains on SIGTERM.
 */
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { statSync, utimesSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "../..");
const serverEntry = join(root, "dist/server/main.js");

/** `npm start`'s script on an in-memory database and a free port, its output collected. */
function startLikeNpm() {
  const child = spawn(process.execPath, ["src/start.js"], {
    cwd: root,
    env: { PATH: process.env.PATH ?? "", PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "info", DATA_DIR: "memory" },
  });
  const started = { child, output: "" };
  child.stdout.on("data", (chunk: Buffer) => (started.output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (started.output += chunk.toString()));
  return started;
}

/** The "farebox ready" line's fields, once the process has logged it. */
async function readyLine(started: { output: string }): Promise<Record<string, unknown>> {
  await expect.poll(() => /"msg":"farebox ready"/.test(started.output), { timeout: 120_000, interval: 200 }).toBe(true);
  return JSON.parse(started.output.split("\n").find((line) => line.includes('"msg":"farebox ready"'))!) as Record<string, unknown>;
}

describe("the compiled server", () => {
  let child: ChildProcessWithoutNullStreams | undefined;
  afterEach(() => {
    child?.kill("SIGKILL");
  });

  it("is built by npm start only when stale, runs in npm start's own process, and serves like the sources", { timeout: 180_000 }, async () => {
    execFileSync(process.execPath, ["--import", "tsx", "src/build.ts", "--force"], { cwd: root });
    const builtAt = statSync(serverEntry).mtimeMs;
    const fresh = startLikeNpm();
    child = fresh.child;
    await readyLine(fresh);
    expect(fresh.output).not.toContain("compiling");
    expect(statSync(serverEntry).mtimeMs).toBe(builtAt);
    fresh.child.kill("SIGKILL");

    // a build older than its sources (a `git pull` since, say): the same start compiles the server again
    const aged = new Date(Date.now() - 86_400_000);
    utimesSync(serverEntry, aged, aged);
    const stale = startLikeNpm();
    child = stale.child;
    const exited = new Promise<number | null>((resolve) => stale.child.on("exit", (code) => resolve(code)));
    const ready = await readyLine(stale);
    expect(stale.output).toContain("compiling the server");
    expect(statSync(serverEntry).mtimeMs).toBeGreaterThan(aged.getTime());
    expect(ready.processes).toMatch(/^1 \(embedded PGlite is one process/);
    // the server is the process npm start began, not a child of it
    expect(ready.pid).toBe(stale.child.pid);
    const address = ready.address as string;
    expect(await (await fetch(`${address}/ready`)).json()).toEqual({ status: "ready" });
    const dashboard = await fetch(`${address}/`);
    expect(dashboard.status).toBe(200);
    expect(await dashboard.text()).toContain("<script type=\"module\"");
    stale.child.kill("SIGTERM");
    expect(await exited).toBe(0);
  });
});
