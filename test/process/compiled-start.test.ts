/**
 * What `npm start` runs: src/build-if-stale.js has src/build.ts compile the server into dist/server
 * when it is stale (and only then: without TypeScript's loader otherwise), and the
 * compiled main.js serves exactly as the TypeScript sources do: it finds the migrations and the
 * dashboard relative to the checkout, says it is ready, and drains on SIGTERM.
 */
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { statSync, utimesSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "../..");

describe("the compiled server", () => {
  let child: ChildProcessWithoutNullStreams | undefined;
  afterEach(() => {
    child?.kill("SIGKILL");
  });

  it("is built by npm start's first step only when stale, and serves like the sources", { timeout: 180_000 }, async () => {
    execFileSync(process.execPath, ["--import", "tsx", "src/build.ts", "--force"], { cwd: root });
    const builtAt = statSync(join(root, "dist/server/main.js")).mtimeMs;
    const again = execFileSync(process.execPath, ["src/build-if-stale.js"], { cwd: root }).toString();
    expect(again).toBe("");
    expect(statSync(join(root, "dist/server/main.js")).mtimeMs).toBe(builtAt);
    // a build older than its sources (a `git pull` since, say): the same step compiles the server again
    const aged = new Date(Date.now() - 86_400_000);
    utimesSync(join(root, "dist/server/main.js"), aged, aged);
    const rebuilt = execFileSync(process.execPath, ["src/build-if-stale.js"], { cwd: root }).toString();
    expect(rebuilt).toContain("compiling the server");
    expect(statSync(join(root, "dist/server/main.js")).mtimeMs).toBeGreaterThan(aged.getTime());

    child = spawn(process.execPath, ["dist/server/main.js"], {
      cwd: root,
      env: { PATH: process.env.PATH ?? "", PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "info", DATA_DIR: "memory" },
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child!.on("exit", (code) => resolve(code)));
    await expect.poll(() => /"msg":"farebox ready"/.test(output), { timeout: 120_000, interval: 200 }).toBe(true);
    const ready = JSON.parse(output.split("\n").find((line) => line.includes('"msg":"farebox ready"'))!) as Record<string, unknown>;
    expect(ready.processes).toMatch(/^1 \(embedded PGlite is one process/);
    const address = ready.address as string;
    expect(await (await fetch(`${address}/ready`)).json()).toEqual({ status: "ready" });
    const dashboard = await fetch(`${address}/`);
    expect(dashboard.status).toBe(200);
    expect(await dashboard.text()).toContain("<script type=\"module\"");
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  });
});
