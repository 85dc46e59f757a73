import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, createAccountViaAdmin, type TestApp } from "../support/app.js";

interface LogLine {
  level: number;
  msg: string;
  status?: number;
  path?: string;
  err?: { stack?: string };
  error_type?: string;
}

const INFO = 30;

describe("request logging", () => {
  let app: TestApp;
  const lines: LogLine[] = [];
  const texts: string[] = [];
  beforeAll(async () => {
    const logStream = new PassThrough();
    logStream.on("data", (chunk: Buffer) => {
      for (const text of chunk.toString("utf8").split("\n")) if (text.trim()) {
        texts.push(text);
        lines.push(JSON.parse(text) as LogLine);
      }
    });
    app = await startTestApp("pglite", {
      config: {
        logLevel: "info",
        catalog: { include_default: false },
        providers: {
          keyless: { protocol: "openai", base_url: "http://127.0.0.1:9/v1", headers: {} },
          paid: { protocol: "openai", base_url: "http://127.0.0.1:9/v1", api_key: "sk-upstream-0123456789", headers: {} },
        },
        models: [
          { id: "t/keyless", context_length: 1000, endpoints: [{ provider: "keyless", model: "m", pricing: { prompt: "0.000001", completion: "0.000001" } }] },
          { id: "t/paid", context_length: 1000, endpoints: [{ provider: "paid", model: "m", pricing: { prompt: "0.000001", completion: "0.000001" } }] },
        ],
      },
      deps: { logStream },
    });
  });
  afterAll(() => app.close());

  it("writes one line per request; expected failures at info or warn, never at error with a stack", async () => {
    const { managementKey } = await createAccountViaAdmin(app.url);
    const created = await fetch(`${app.url}/api/v1/keys`, {
      method: "POST",
      headers: { authorization: `Bearer ${managementKey}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "k" }),
    });
    const key = ((await created.json()) as { key: string }).key;
    const chat = (model: string) =>
      fetch(`${app.url}/api/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({ model, messages: [{ role: "user", content: "hi" }], max_tokens: 50 }),
      });
    lines.length = 0;
    const statuses = [
      (await fetch(`${app.url}/api/v1/models`)).status,
      (await chat("t/paid")).status, // no balance
      (await chat("t/keyless")).status, // no provider key configured
      (await fetch(`${app.url}/api/v1/byok`, { headers: { authorization: `Bearer ${managementKey}` } })).status, // BYOK off
      (await fetch(`${app.url}/api/v1/key`)).status, // no key
    ];
    expect(statuses).toEqual([200, 402, 404, 403, 401]);
    await new Promise((resolve) => setTimeout(resolve, 50));

    const requestLines = lines.filter((line) => line.msg === "request");
    expect(requestLines.map((line) => line.status)).toEqual(statuses);
    expect(lines.filter((line) => /incoming request|request completed/.test(line.msg))).toEqual([]);
    expect(lines.filter((line) => line.level >= 50)).toEqual([]);
    expect(lines.filter((line) => line.err?.stack !== undefined)).toEqual([]);
    expect(requestLines.map((line) => line.level)).toEqual([INFO, INFO, INFO, INFO, INFO]);
    expect(requestLines[1]).toMatchObject({ path: "/api/v1/chat/completions", error_type: "payment_required" });
  });

  it("writes the line's fields in one order, after pino's and the request id", async () => {
    texts.length = 0;
    expect((await fetch(`${app.url}/api/v1/models?x=1`)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const line = texts.map((text) => JSON.parse(text) as Record<string, unknown>).find((fields) => fields.msg === "request")!;
    expect(Object.keys(line)).toEqual(["level", "time", "pid", "hostname", "reqId", "method", "path", "status", "ms", "msg"]);
    expect(line).toMatchObject({ level: INFO, reqId: expect.stringMatching(/^req-/), method: "GET", path: "/api/v1/models", status: 200 });
  });
});
