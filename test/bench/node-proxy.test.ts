/**
 * The bench's Node floor (bench/node-proxy.ts) answers as farebox does: a JSON answer whole with
 * its length, an event stream passed through as it comes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBenchServer, startUpstream } from "../../bench/upstream-process.js";

type Server = Awaited<ReturnType<typeof startBenchServer>>;

const ask = (url: string, body: object) =>
  fetch(`${url}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

describe("the bench's bare Node proxy", () => {
  let upstream: Server;
  let proxy: Server;
  beforeAll(async () => {
    upstream = await startUpstream();
    proxy = await startBenchServer("bench/node-proxy.ts", upstream.url);
  }, 60_000);
  afterAll(() => {
    proxy?.child.kill("SIGTERM");
    upstream?.child.kill("SIGTERM");
  });

  it("answers a JSON body whole, with its length, as the upstream sent it", async () => {
    const request = { model: "bench-model", messages: [{ role: "user", content: "hi" }] };
    const [direct, proxied] = await Promise.all([ask(upstream.url, request), ask(proxy.url, request)]);
    const text = await proxied.text();
    expect(proxied.status).toBe(200);
    expect(proxied.headers.get("transfer-encoding")).toBeNull();
    expect(Number(proxied.headers.get("content-length"))).toBe(Buffer.byteLength(text));
    expect(text).toBe(await direct.text());
  });

  it("passes an event stream through chunk by chunk, not buffered until its end", async () => {
    const request = { model: "bench-spaced", stream: true, messages: [{ role: "user", content: "hi" }] };
    const [direct, response] = await Promise.all([ask(upstream.url, request), ask(proxy.url, request)]);
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = "";
    let firstAt: number | undefined;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      firstAt ??= performance.now();
      text += decoder.decode(value, { stream: true });
    }
    // the upstream spaces its frames 20 ms apart: a buffered answer would arrive in one piece at the end
    expect(performance.now() - firstAt!).toBeGreaterThan(60);
    expect(text).toBe(await direct.text());
    expect(text.endsWith("data: [DONE]\n\n")).toBe(true);
  });
});
