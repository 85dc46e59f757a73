import { request } from "node:http";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_RETRY_AFTER_S } from "../../src/domain/errors.js";
import { startHarness, type Harness } from "../gateway/harness.js";

const ceil = (n: bigint, d: bigint) => (n + d - 1n) / d;
function expectedCharge(prompt: number, completion: number, promptNanoPerM: bigint, completionNanoPerM: bigint): bigint {
  const base = ceil(BigInt(prompt) * promptNanoPerM, 1_000_000n) + ceil(BigInt(completion) * completionNanoPerM, 1_000_000n);
  return base + ceil(base * 500n, 10_000n);
}
const ALPHA = { prompt: 153_000_000n, completion: 611_000_000n };
const BETA = { prompt: 1_000_000_000n, completion: 2_000_000_000n };

let h: Harness;
let startBalance: bigint;
const debited = async () => startBalance - (await h.balanceNano());

beforeAll(async () => {
  h = await startHarness({ keepAliveMs: 40 });
});
afterAll(async () => h.close());
beforeEach(async () => {
  h.alpha.setScript({});
  h.beta.setScript({});
  startBalance = await h.balanceNano();
});
afterEach(async () => {
  expect(await h.settledAudit()).toEqual({ ok: true, problems: [] });
  expect(await h.openHolds()).toBe(0);
});

describe("fallback before the first byte", () => {
  it("falls back from a failing endpoint to the next one and bills the one that served", async () => {
    h.alpha.setScript({ error: { status: 500, message: "boom" } });
    h.beta.setScript({ text: "from beta", usage: { prompt: 20, completion: 5 } });
    const data = await h.client().chat.completions.create({ model: "test/chat", messages: [{ role: "user", content: "hi" }], max_tokens: 10 });
    expect(data.choices[0]!.message.content).toBe("from beta");
    expect((data as unknown as { provider: string }).provider).toBe("Beta");
    await h.chat.gateway.drain();
    expect(await debited()).toBe(expectedCharge(20, 5, BETA.prompt, BETA.completion));
    const generation = await h.chat.generations.find(data.id, h.accountId);
    expect(generation!.attempts.map((a) => [a.provider, a.status])).toEqual([["alpha", 500], ["beta", 200]]);
    expect(h.chat.health.lastFailureAtMs("test/chat@alpha")).toBeDefined();
  });

  it("falls back to the next model in `models` after every endpoint of the first failed", async () => {
    h.alpha.setScript({ error: { status: 429, retryAfter: "3" } });
    h.beta.setScript({ text: "backup model", usage: { prompt: 3, completion: 2 } });
    const data = await h.client().chat.completions.create({
      model: "test/alpha-only",
      messages: [{ role: "user", content: "hi" }],
      max_tokens: 10,
      models: ["test/backup"],
    } as never);
    expect(data.model).toBe("test/backup");
    expect(data.choices[0]!.message.content).toBe("backup model");
    await h.chat.gateway.drain();
    expect(await debited()).toBe(expectedCharge(3, 2, BETA.prompt, BETA.completion));
  });

  it("when every attempt fails: the last error, no charge, the hold voided", async () => {
    h.alpha.setScript({ error: { status: 503 } });
    h.beta.setScript({ error: { status: 502 } });
    const error = await h.client().chat.completions.create({ model: "test/chat", messages: [{ role: "user", content: "hi" }], max_tokens: 10 }).catch((e: unknown) => e);
    // the last attempt's failure: the upstream's 503 or its 502
    expect([502, 503]).toContain((error as { status: number }).status);
    // an upstream failure can pass: the client is told when to come back
    expect((error as { headers: Headers }).headers.get("retry-after")).toBe(String(DEFAULT_RETRY_AFTER_S));
    await h.chat.gateway.drain();
    expect(await debited()).toBe(0n);
  });
});

describe("streaming", () => {
  it("streams chunk by chunk, ends with a usage chunk (choices: []) and is settled from that usage", async () => {
    h.alpha.setScript({ text: "one two three four", usage: { prompt: 30, completion: 4 } });
    const stream = await h.client().chat.completions.create({ model: "test/chat", messages: [{ role: "user", content: "count" }], max_tokens: 20, stream: true });
    const chunks: { choices: { delta: { content?: string }; finish_reason: string | null }[]; usage?: { cost: number; completion_tokens: number } }[] = [];
    for await (const chunk of stream) chunks.push(chunk as never);
    const text = chunks.flatMap((c) => c.choices.map((choice) => choice.delta.content ?? "")).join("");
    expect(text).toBe("one two three four");
    expect(chunks.length).toBeGreaterThan(3);
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage!.completion_tokens).toBe(4);
    await h.chat.gateway.drain();
    const charge = expectedCharge(30, 4, ALPHA.prompt, ALPHA.completion);
    expect(await debited()).toBe(charge);
    expect(last.usage!.cost).toBe(Number(charge) / 1e9);
  });

  it("hands each token to the client as it arrives, while the upstream is still generating", async () => {
    // frames leaving together share one socket write; none waits for a frame the upstream has not sent
    h.alpha.setScript({ text: "one two three four", stallAfter: 3 });
    const response = await fetch(`${h.url}/api/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${h.key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "test/chat", messages: [{ role: "user", content: "count" }], max_tokens: 20, stream: true }),
    });
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let received = "";
    while (!received.includes('"content":"one ')) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`the stream ended before its first token: ${received}`);
      received += decoder.decode(value, { stream: true });
    }
    // seen before the upstream's silence ends the stream with an error frame
    expect(received).not.toContain('"error"');
    for (let part = await reader.read(); !part.done; part = await reader.read()) received += decoder.decode(part.value, { stream: true });
    expect(received).toContain('"upstream_kind":"stall"');
    await h.chat.gateway.drain();
  });

  it("a stream whose every attempt fails before the first token ends in an error and is not charged", async () => {
    h.alpha.setScript({ error: { status: 503 } });
    h.beta.setScript({ error: { status: 500 } });
    // Quicker than the keep-alive delay this is a plain HTTP error; slower, the status is already
    // committed and the error arrives as an SSE error event. Either way the SDK raises it.
    const outcome = await (async () => {
      const stream = await h.client().chat.completions.create({ model: "test/chat", messages: [{ role: "user", content: "x" }], max_tokens: 5, stream: true });
      for await (const _chunk of stream) void _chunk;
      return "completed";
    })().catch((e: unknown) => e);
    expect(outcome).toBeInstanceOf(Error);
    await h.chat.gateway.drain();
    expect(await debited()).toBe(0n);
  });

  it("sends SSE keep-alive comments while the upstream is slow, then the stream", async () => {
    h.alpha.setScript({ text: "late", firstByteDelayMs: 200 });
    const response = await fetch(`${h.url}/api/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${h.key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "test/chat", messages: [{ role: "user", content: "x" }], max_tokens: 5, stream: true }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-generation-id")).toMatch(/^gen-/);
    const body = await response.text();
    expect(body.startsWith(": FAREBOX PROCESSING\n\n")).toBe(true);
    expect(body).toContain('"content":"late"');
    expect(body.trimEnd().endsWith("data: [DONE]")).toBe(true);
  });

  it("a failure mid-stream arrives as an error event with finish_reason error; what was produced is billed", async () => {
    h.alpha.setScript({ text: "a b c d e f", streamErrorAfter: 3 });
    const response = await fetch(`${h.url}/api/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${h.key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "test/chat", messages: [{ role: "user", content: "x" }], max_tokens: 5, stream: true }),
    });
    const body = await response.text();
    const events = body.split("\n\n").filter((line) => line.startsWith("data: ")).map((line) => line.slice(6));
    const last = JSON.parse(events.at(-1)!) as { error: { code: number }; choices: { finish_reason: string }[] };
    expect(last.error.code).toBeGreaterThanOrEqual(400);
    expect(last.choices[0]!.finish_reason).toBe("error");
    await h.chat.gateway.drain();
    expect(await debited()).toBeGreaterThan(0n);
  });

  it("a client disconnect while a non-stream answer is awaited aborts the upstream, tries no other provider and charges nothing", async () => {
    h.alpha.setScript({ text: "too late", firstByteDelayMs: 3_000 });
    const alphaSeen = h.alpha.requests.length;
    const betaSeen = h.beta.requests.length;
    // a plain socket the test closes itself: fetch's abort may leave its connection to the pool's judgement
    const client = request(`${h.url}/api/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${h.key}`, "content-type": "application/json" },
    });
    client.on("error", () => undefined);
    client.end(JSON.stringify({ model: "test/chat", messages: [{ role: "user", content: "slow" }], max_tokens: 5 }));
    while (h.alpha.requests.length === alphaSeen) await new Promise((resolve) => setTimeout(resolve, 5));
    const upstreamRequest = h.alpha.lastRequest();
    client.destroy();
    await upstreamRequest.closed;
    // closed before the upstream could answer (an answer written would leave it false)
    expect(upstreamRequest.closedEarly).toBe(true);
    await h.chat.gateway.drain();
    expect(h.beta.requests.length).toBe(betaSeen);
    expect(await debited()).toBe(0n);
  });

  it("a client disconnect mid-stream aborts the upstream and settles what was produced, ending the hold", async () => {
    h.alpha.setScript({ text: Array.from({ length: 200 }, (_, i) => `w${i}`).join(" "), frameDelayMs: 15 });
    const controller = new AbortController();
    const response = await fetch(`${h.url}/api/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${h.key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "test/chat", messages: [{ role: "user", content: "long" }], max_tokens: 500, stream: true }),
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    let received = "";
    while (!received.includes("w3 ")) received += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    const upstreamRequest = h.alpha.lastRequest();
    await upstreamRequest.closed;
    expect(upstreamRequest.closedEarly).toBe(true);
    await h.chat.gateway.drain();
    const id = response.headers.get("x-generation-id")!;
    const generation = await h.chat.generations.find(id, h.accountId);
    expect(generation).toMatchObject({ cancelled: true, streamed: true, usageEstimated: true });
    expect(generation!.completionTokens).toBeGreaterThan(0);
    expect(generation!.completionTokens).toBeLessThan(200);
    expect(await debited()).toBe(generation!.totalNano);
    expect(await debited()).toBeGreaterThan(0n);
    expect(await h.openHolds()).toBe(0);
  });
});

describe("models", () => {
  it("lists models in OpenRouter's shape and endpoints with live health", async () => {
    const list = (await (await fetch(`${h.url}/api/v1/models`)).json()) as { data: { id: string; pricing: Record<string, string>; top_provider: unknown }[] };
    const chat = list.data.find((m) => m.id === "test/chat")!;
    expect(chat.pricing).toMatchObject({ prompt: "0.000000153", completion: "0.000000611" });
    // only models a request can be served by, unless ?all=true
    expect(list.data.map((m) => m.id)).not.toContain("test/unconfigured");
    const all = (await (await fetch(`${h.url}/api/v1/models?all=true`)).json()) as { data: { id: string }[]; total_count: number };
    expect(all.data.map((m) => m.id)).toContain("test/unconfigured");
    expect(all.total_count).toBe(list.data.length + 1);
    h.alpha.setScript({});
    await h.client().chat.completions.create({ model: "test/chat", messages: [{ role: "user", content: "x" }], max_tokens: 5 });
    const endpoints = (await (await fetch(`${h.url}/api/v1/models/test/chat/endpoints`)).json()) as {
      data: { endpoints: { tag: string; uptime_last_30m: number | null; latency_last_30m: { p50: number } | null }[] };
    };
    const alpha = endpoints.data.endpoints.find((e) => e.tag === "alpha")!;
    expect(alpha.uptime_last_30m).not.toBeNull();
    expect(alpha.latency_last_30m!.p50).toBeGreaterThan(0);
    expect((await fetch(`${h.url}/api/v1/models/no/such/endpoints`)).status).toBe(404);
  });
});
