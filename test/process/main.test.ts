import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { request } from "node:http";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startMain, waitForReady } from "../support/main-process.js";

function exitCode(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  return new Promise((resolve) => child.on("exit", (code) => resolve(code)));
}

describe("the gateway process", () => {
  let child: ChildProcessWithoutNullStreams | undefined;
  afterEach(() => {
    child?.kill("SIGKILL");
  });

  it("starts on embedded PGlite with no configuration, answers, and drains on SIGTERM", { timeout: 120_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "farebox-data-"));
    child = startMain({ DATA_DIR: dataDir });
    const address = await waitForReady(child);
    expect(await (await fetch(`${address}/health`)).json()).toEqual({ status: "ok" });
    expect(await (await fetch(`${address}/ready`)).json()).toEqual({ status: "ready" });
    // the process's own metrics are on in the real process
    const metrics = await (await fetch(`${address}/metrics`)).text();
    expect(metrics).toMatch(/^process_cpu_seconds_total \d/m);
    expect(metrics).toMatch(/^nodejs_eventloop_lag_p99_seconds /m);
    expect(metrics).toMatch(/^farebox_requests_total|^# TYPE farebox_requests_total counter/m);

    // A request whose body is still arriving when SIGTERM lands is answered, not cut.
    const url = new URL(`${address}/api/v1/keys`);
    const inFlight = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        { host: url.hostname, port: url.port, path: url.pathname, method: "POST", headers: { "content-type": "application/json" } },
        (res) => {
          let body = "";
          res.on("data", (chunk: Buffer) => (body += chunk.toString()));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on("error", reject);
      req.write('{"name":');
      setTimeout(() => {
        child?.kill("SIGTERM");
        setTimeout(() => req.end('"late"}'), 300);
      }, 100);
    });
    const exited = exitCode(child);
    const answer = await inFlight;
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 401 } });
    expect(await exited).toBe(0);
  });

  it("says what it is doing while it starts and summarizes what it runs with", { timeout: 120_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "farebox-data-"));
    child = startMain({ DATA_DIR: dataDir });
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    const address = await waitForReady(child);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const lines = stdout
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const messages = lines.map((line) => line.msg);
    expect(messages.indexOf("database: applying migrations")).toBeGreaterThan(messages.findIndex((msg) => String(msg).startsWith("database: opening")));
    expect(messages.indexOf("farebox ready")).toBeGreaterThan(messages.indexOf("database: migrations applied"));
    expect(lines.find((line) => line.msg === "farebox ready")).toMatchObject({
      address,
      database: `PGlite in ${dataDir}`,
      models: { usable: 0 },
      chains: [],
      admin_api: "off",
      sign_in_domain: "localhost:8080",
      byok: "off",
      key_rate_limits: "on (per process)",
    });
    expect(messages.some((msg) => String(msg).startsWith("no model has a provider key"))).toBe(true);
  });

  it("starts with the shipped catalog when a models: auto upstream is down, and says so", { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "farebox-config-"));
    const path = join(dir, "discovery.yaml");
    writeFileSync(path, "providers:\n  local:\n    protocol: openai\n    base_url: http://127.0.0.1:9/v1\n    models: auto\n    pricing: free\n");
    child = startMain({ DATA_DIR: join(dir, "data"), FAREBOX_CONFIG: path });
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    const address = await waitForReady(child);
    await expect.poll(() => stdout, { timeout: 30_000 }).toMatch(/could not list local's models; serving the shipped catalog without them until it answers/);
    const all = (await (await fetch(`${address}/api/v1/models?all=true`)).json()) as { data: { id: string }[] };
    expect(all.data.length).toBeGreaterThan(250);
    expect(all.data.map((model) => model.id)).toContain("anthropic/claude-opus-4.7");
  });

  it("refuses to start with an invalid configuration and lists every problem", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "farebox-config-")), "bad.yaml");
    writeFileSync(path, "fees: { credit_bps: lots }\nunknown_section: 1\n");
    child = startMain({ FAREBOX_CONFIG: path, PORT: "-5" });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    expect(await exitCode(child)).toBe(1);
    expect(stderr).toContain("env: PORT");
    expect(stderr).toContain("fees.credit_bps");
    expect(stderr).toContain("unknown_section");
  });
});
