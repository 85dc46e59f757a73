/**
 * The adapters' `embed` against fake upstreams speaking each protocol's embeddings wire format:
 * request shape, vectors in input order, reported usage, and failures as UpstreamError the
 * router can act on (retryable or not, invalid responses, credentials redacted). Anthropic's API
 * has no embeddings, so its adapter has no `embed`.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createProviderRegistry, type ProviderRegistry } from "../../src/providers/registry.js";
import type { AdapterContext, EmbeddingRequest } from "../../src/providers/spec.js";
import { fakeVector, startFakeGemini, startFakeOpenAI, type FakeUpstream } from "../support/fake-upstreams/index.js";
import { upstreamError } from "./conformance-env.js";

const timeouts = { connectMs: 2_000, firstByteMs: 5_000, idleMs: 5_000 };
const SECRET = "sk-embed-SECRET-0123456789";

let registry: ProviderRegistry;
let openai: FakeUpstream;
let gemini: FakeUpstream;
beforeAll(async () => {
  registry = createProviderRegistry();
  openai = await startFakeOpenAI();
  gemini = await startFakeGemini();
});
afterAll(async () => {
  await registry.close();
  await Promise.all([openai.close(), gemini.close()]);
});

const openAIContext = (): AdapterContext => ({ apiKey: SECRET, baseUrl: `${openai.url}/v1`, timeouts });
const geminiContext = (): AdapterContext => ({ apiKey: SECRET, baseUrl: gemini.url, timeouts });
const request = (input: EmbeddingRequest["input"], extra: Partial<EmbeddingRequest> = {}): EmbeddingRequest => ({ model: "embed-model", input, ...extra });

describe("OpenAI-compatible embed", () => {
  const embed = (req: EmbeddingRequest) => registry.get("openai").embed!(req, openAIContext());

  it("posts {base}/embeddings for floats and reads vectors in index order and the reported tokens", async () => {
    openai.setScript({ usage: { prompt: 9, completion: 0 } });
    const answer = await embed(request(["a", "b"], { dimensions: 4, input_type: "search_query" }));
    expect(openai.lastRequest().url).toBe("/v1/embeddings");
    expect(openai.lastRequest().body).toEqual({ model: "embed-model", input: ["a", "b"], encoding_format: "float", dimensions: 4, input_type: "search_query" });
    expect(answer).toEqual({ model: "embed-model", vectors: [fakeVector("a", 4), fakeVector("b", 4)], promptTokens: 9 });
  });

  it("sends input_type only to an endpoint that lists it (OpenAI refuses unknown fields), dimensions always", async () => {
    openai.setScript({});
    await registry.get("openai").embed!(request(["a"], { dimensions: 2, input_type: "search_query" }), { ...openAIContext(), supportedParameters: ["dimensions"] });
    expect(openai.lastRequest().body).toEqual({ model: "embed-model", input: ["a"], encoding_format: "float", dimensions: 2 });
  });

  it("reports no tokens when the upstream sends no usage, or a count that is no count", async () => {
    openai.setScript({ omitUsage: true });
    expect((await embed(request(["a"]))).promptTokens).toBeUndefined();
    openai.setScript({ rawUsage: { prompt_tokens: -3, total_tokens: -3 } });
    expect((await embed(request(["a"]))).promptTokens).toBeUndefined();
  });

  it("turns error statuses into UpstreamErrors the router can act on, without the key", async () => {
    openai.setScript({ error: { status: 429, retryAfter: "3", message: `slow down ${SECRET}` } });
    const limited = await upstreamError(embed(request(["a"])));
    expect(limited.status).toBe(429);
    expect(limited.retryable).toBe(true);
    expect(JSON.stringify({ message: limited.message, metadata: limited.metadata })).not.toContain(SECRET);
    openai.setScript({ error: { status: 400, message: "dimensions too large" } });
    const refused = await upstreamError(embed(request(["a"])));
    expect([refused.status, refused.retryable]).toEqual([400, false]);
  });

  it("an answer that is not JSON, or lacks a vector per input, is an invalid response (retryable)", async () => {
    openai.setScript({ malformed: true });
    expect((await upstreamError(embed(request(["a"])))).kind).toBe("invalid_response");
    // the fake answers one vector per input it received; asking for two while it sees one is a count mismatch
    openai.setScript((recorded) => {
      (recorded.body as { input: string[] }).input = ["only one"];
      return {};
    });
    const short = await upstreamError(embed(request(["a", "b"])));
    expect(short.kind).toBe("invalid_response");
    expect(short.message).toContain("1 embeddings for 2 inputs");
    expect(short.retryable).toBe(true);
  });
});

describe("Gemini embed", () => {
  const embed = (req: EmbeddingRequest) => registry.get("gemini").embed!(req, geminiContext());

  it("posts batchEmbedContents, one request per text, dimensions as outputDimensionality, input_type as the task type", async () => {
    gemini.setScript({});
    const answer = await embed(request(["a", "b"], { model: "models/gemini-embedding-001", dimensions: 3, input_type: "search_document" }));
    expect(gemini.lastRequest().url).toBe("/v1beta/models/gemini-embedding-001:batchEmbedContents");
    expect(gemini.lastRequest().headers["x-goog-api-key"]).toBe(SECRET);
    expect(gemini.lastRequest().body).toEqual({
      requests: ["a", "b"].map((text) => ({ model: "models/gemini-embedding-001", content: { parts: [{ text }] }, taskType: "RETRIEVAL_DOCUMENT", outputDimensionality: 3 })),
    });
    expect(answer).toEqual({ model: "models/gemini-embedding-001", vectors: [fakeVector("a", 3), fakeVector("b", 3)], promptTokens: undefined });
  });

  it("refuses token-id input with a non-retryable 400, without calling the upstream", async () => {
    const before = gemini.requests.length;
    const refused = await upstreamError(embed(request([[1, 2, 3]])));
    expect([refused.status, refused.retryable]).toEqual([400, false]);
    expect(refused.message).toMatch(/text only/);
    expect(gemini.requests.length).toBe(before);
  });

  it("maps Gemini's error body", async () => {
    gemini.setScript({ error: { status: 503, message: "overloaded" } });
    const failed = await upstreamError(embed(request(["a"])));
    expect([failed.status, failed.retryable]).toEqual([503, true]);
    gemini.setScript({});
  });
});

describe("Anthropic", () => {
  it("has no embeddings, so routing skips its endpoints", () => {
    expect(registry.get("anthropic").embed).toBeUndefined();
  });
});
