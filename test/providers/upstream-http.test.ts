import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Attempt } from "../../src/providers/shared/attempt.js";
import { createUpstreamHttp } from "../../src/providers/shared/upstream-http.js";

const context = { apiKey: "", baseUrl: "http://upstream", timeouts: { connectMs: 1_000, firstByteMs: 5_000, idleMs: 5_000 } };
const http = createUpstreamHttp();
const seen: { url: string | undefined; host: string | undefined; body: string }[] = [];
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => {
      seen.push({ url: request.url, host: request.headers.host, body });
      response.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await http.close();
  await new Promise((resolve) => server.close(resolve));
});

async function post(url: string): Promise<number> {
  const attempt = new Attempt(context);
  try {
    const response = await http.postJson(attempt, url, {}, { n: seen.length });
    for await (const _chunk of response.body) void _chunk;
    return response.status;
  } finally {
    attempt.dispose();
  }
}

describe("UpstreamHttp.postJson", () => {
  it("sends each URL's own path and query, the same URL again alike", async () => {
    seen.length = 0;
    expect(await post(`${base}/v1beta/models/m:streamGenerateContent?alt=sse`)).toBe(200);
    expect(await post(`${base}/v1/chat/completions`)).toBe(200);
    expect(await post(`${base}/v1beta/models/m:streamGenerateContent?alt=sse`)).toBe(200);
    expect(seen.map((request) => request.url)).toEqual(["/v1beta/models/m:streamGenerateContent?alt=sse", "/v1/chat/completions", "/v1beta/models/m:streamGenerateContent?alt=sse"]);
    expect(seen.map((request) => request.body)).toEqual(['{"n":0}', '{"n":1}', '{"n":2}']);
    expect(seen[0]?.host).toBe(new URL(base).host);
  });

  it("normalizes a URL as the WHATWG parser does (dot segments, an empty path)", async () => {
    seen.length = 0;
    await post(`${base}/v1/x/../chat/completions`);
    await post(base);
    expect(seen.map((request) => request.url)).toEqual(["/v1/chat/completions", "/"]);
  });

  it("refuses a URL that is not http(s)", async () => {
    await expect(post("ftp://127.0.0.1/v1/chat/completions")).rejects.toThrow();
    await expect(post("not a url")).rejects.toThrow();
  });
});
