/**
 * Fake upstream LLM providers for tests and benchmarks: local node:http servers (port 0) that
 * speak each provider's real wire format, scriptable per request, recording what they received.
 *
 * Usage:
 *   const fake = await startFakeOpenAI({ script: { text: "Hi", usage: { prompt: 10, completion: 2 } } });
 *   adapter.complete(req, { baseUrl: `${fake.url}/v1`, apiKey: "k", timeouts, ... });
 *   fake.lastRequest().body;          // the translated request as the upstream saw it
 *   fake.setScript([{ error: { status: 429, retryAfter: "7" } }, {}]);   // a queue; the last repeats
 *   await fake.close();
 *
 * Base URLs to configure: OpenAI-compatible `${url}/v1` (adapter posts `/v1/chat/completions`,
 * and `/v1/embeddings`; Gemini's `:batchEmbedContents` is answered too, with fakeVector's vectors),
 * Anthropic `${url}` (posts `/v1/messages`), Gemini `${url}` (posts
 * `/v1beta/models/{model}:generateContent` and `:streamGenerateContent?alt=sse`).
 *
 * A behaviour (see behaviour.ts) is protocol-neutral: text, reasoning, toolCalls, finish, usage
 * (normalized counts; omitUsage to send none), model, or a fault: error {status, retryAfter},
 * firstByteDelayMs, resetBeforeResponse, malformed, ignoreStream (JSON where a stream was asked),
 * and for streams stallAfter / cutAfter / resetAfter / streamErrorAfter (frame index),
 * frameDelayMs, splitFramesBytes (frames cut across TCP writes) and comments (SSE keep-alive
 * lines). Streaming is chosen by the request, as upstream. Each RecordedRequest has the parsed
 * body, headers, remotePort (keep-alive reuse) and `closed` / `closedEarly` (aborts).
 * `refusedUrl()` gives a port where connecting is refused; `startSilentTcp()` a server whose
 * https URL hangs in the TLS handshake (a connect timeout).
 */
export * from "./behaviour.js";
export { refusedUrl, startSilentTcp, type FakeUpstream, type FakeOptions } from "./server.js";
export { startFakeOpenAI } from "./openai.js";
export { startFakeAnthropic } from "./anthropic.js";
export { startFakeGemini } from "./gemini.js";
export { FAKE_EMBEDDING_DIMENSIONS, fakeEmbeddingTokens, fakeVector } from "./embeddings.js";
