/**
 * A raw prompt through the OpenAI-compatible adapter, against the fake upstream over real HTTP:
 * an endpoint that takes raw prompts receives OpenAI's legacy Completions body at
 * `{base}/completions` and its `text_completion` answers (whole and streamed, usage, legacy log
 * probabilities, cut streams) come back normalized; any other endpoint gets the chat request.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOpenAICompatibleAdapter } from "../../src/providers/openai-compatible/adapter.js";
import { createUpstreamHttp, type UpstreamHttp } from "../../src/providers/shared/upstream-http.js";
import type { AdapterContext, ChatRequest, ProviderAdapter } from "../../src/providers/spec.js";
import { startFakeOpenAI, type FakeUpstream } from "../support/fake-upstreams/index.js";
import { collect, upstreamError } from "./conformance-env.js";

let http: UpstreamHttp;
let fake: FakeUpstream;
let adapter: ProviderAdapter;

beforeAll(async () => {
  http = createUpstreamHttp();
  fake = await startFakeOpenAI();
  adapter = createOpenAICompatibleAdapter(http);
});
afterAll(async () => {
  await http.close();
  await fake.close();
});

const context = (extra: Partial<AdapterContext> = {}): AdapterContext => ({
  apiKey: "sk-test",
  baseUrl: `${fake.url}/v1`,
  timeouts: { connectMs: 2_000, firstByteMs: 3_000, idleMs: 3_000 },
  takesRawPrompt: true,
  ...extra,
});
const request = (extra: Partial<ChatRequest> = {}): ChatRequest => ({
  model: "instruct-1",
  messages: [{ role: "user", content: "def add(a, b):" }],
  rawPrompt: { text: "def add(a, b):", suffix: "\n\nprint(add(1, 2))" },
  max_tokens: 16,
  ...extra,
});

describe("raw prompt on an endpoint that takes it", () => {
  it("posts the legacy body to /completions and normalizes the answer", async () => {
    fake.setScript({ text: "return a + b", usage: { prompt: 6, completion: 4 } });
    const answer = await adapter.complete(request({ temperature: 0, stop: ["\n\n"], logprobs: true, top_logprobs: 1, user: "alice", accountId: "acct" }), context());
    expect(fake.lastRequest().url).toBe("/v1/completions");
    const sent = fake.lastRequest().body as Record<string, unknown>;
    expect(sent).toMatchObject({ model: "instruct-1", prompt: "def add(a, b):", suffix: "\n\nprint(add(1, 2))", max_tokens: 16, temperature: 0, stop: ["\n\n"], logprobs: 1 });
    expect(sent).not.toHaveProperty("messages");
    expect(sent.user).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(sent.user).not.toBe("alice");
    expect(answer).toMatchObject({
      message: { role: "assistant", content: "return a + b" },
      finishReason: "stop",
      usage: { promptTokens: 6, completionTokens: 4 },
      usageReported: true,
    });
    expect(answer.upstreamId).toMatch(/^cmpl-/);
    expect(answer.logprobs).toMatchObject({ content: [{ token: "return ", logprob: -0.01, top_logprobs: [{ token: "return ", logprob: -0.01 }] }, { token: "a " }, { token: "+ " }, { token: "b" }] });
  });

  it("streams the legacy chunks as normalized chunks, usage last", async () => {
    fake.setScript({ text: "return a + b", finish: "length", usage: { prompt: 6, completion: 4 } });
    const stream = await adapter.stream(request(), context());
    expect((fake.lastRequest().body as Record<string, unknown>).stream_options).toEqual({ include_usage: true });
    const chunks = await collect(stream.chunks);
    expect(chunks.map((chunk) => chunk.delta.content ?? "").join("")).toBe("return a + b");
    expect(chunks.find((chunk) => chunk.finishReason !== null)).toMatchObject({ finishReason: "length", nativeFinishReason: "length" });
    expect(chunks.at(-1)!.usage).toMatchObject({ promptTokens: 6, completionTokens: 4 });
    expect(stream.upstreamId).toMatch(/^cmpl-/);
  });

  it("a legacy stream cut before its end is a reset, as a chat stream's is", async () => {
    fake.setScript({ text: "one two three", cutAfter: 2 });
    const stream = await adapter.stream(request(), context());
    expect((await upstreamError(collect(stream.chunks))).kind).toBe("reset");
  });

  it("drops sampling fields the endpoint does not list", async () => {
    fake.setScript({});
    await adapter.complete(request({ temperature: 1, top_k: 3, seed: 4 }), context({ supportedParameters: ["temperature", "max_tokens"] }));
    const sent = fake.lastRequest().body as Record<string, unknown>;
    expect(sent.temperature).toBe(1);
    expect(sent).not.toHaveProperty("top_k");
    expect(sent).not.toHaveProperty("seed");
  });
});

describe("raw prompt elsewhere", () => {
  it("an endpoint that does not take raw prompts gets the chat request with the prompt as one user turn", async () => {
    fake.setScript({ text: "return a + b" });
    const answer = await adapter.complete(request(), context({ takesRawPrompt: false }));
    expect(fake.lastRequest().url).toBe("/v1/chat/completions");
    expect(fake.lastRequest().body).toMatchObject({ messages: [{ role: "user", content: "def add(a, b):" }] });
    expect(fake.lastRequest().body).not.toHaveProperty("prompt");
    expect(answer.message.content).toBe("return a + b");
  });
});
