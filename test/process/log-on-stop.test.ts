import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "../..");

interface LogLine {
  msg?: string;
  address?: string;
  path?: string;
  status?: number;
}

const linesOf = (file: string): LogLine[] =>
  readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as LogLine);

async function until<T>(found: () => T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = found();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("the gateway's log", () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    child?.kill("SIGKILL");
  });

  it("has every request's line in its file once a SIGTERM stopped the process (lines are written in batches)", { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "farebox-log-"));
    const file = join(dir, "farebox.log");
    const out = openSync(file, "w");
    child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
      cwd: root,
      env: { PATH: process.env.PATH ?? "", PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "info", DATA_DIR: join(dir, "data") },
      stdio: ["ignore", out, "inherit"],
    });
    closeSync(out);
    const exited = new Promise<number | null>((resolve) => child!.on("exit", (code) => resolve(code)));
    const address = await until(() => linesOf(file).find((line) => line.msg === "farebox ready")?.address, 100_000);

    const requests = 20;
    for (let i = 0; i < requests; i++) expect((await fetch(`${address}/health`)).status).toBe(200);
    child.kill("SIGTERM");
    expect(await exited).toBe(0);

    const lines = linesOf(file);
    expect(lines.filter((line) => line.msg === "request" && line.path === "/health" && line.status === 200)).toHaveLength(requests);
    expect(lines.at(-1)?.msg).toBe("draining in-flight requests");
  });
});
