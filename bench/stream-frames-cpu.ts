/**
 * CPU per streamed frame of farebox's own stream path, in one process without sockets (npm run
 * bench:stream-frames): an OpenAI-style upstream body (a Readable, as undici's body is) read by
 * the OpenAI-compatible adapter as the registry wraps it (exchange, SSE parser, translation,
 * redaction), turned into the client's SSE frames (stream-frames.ts) and written to a sink through
 * sendSse's loop (cork, write, uncork). CPU time from process.cpuUsage, which a busy machine
 * changes less than wall time; still, runs minutes apart differ by ±30% on a shared VM, so with
 * FRAMES_BASELINE=<another checkout> both implementations are loaded in this one process and
 * measured in alternating rounds, and the paired ratio is what to read.
 * Settings: FRAMES_STREAMS (1000 streams of the bench upstream's 11 reads per round), FRAMES_ROUNDS (24),
 * FRAMES_PROTOCOL (openai; anthropic or gemini: the same words in that protocol's stream, read by
 * its adapter).
 */
import { Readable, Writable } from "node:stream";
import { resolve } from "node:path";
import type { UpstreamHttp } from "../src/providers/shared/upstream-http.js";
import type * as AdapterModule from "../src/providers/openai-compatible/adapter.js";
import type * as AnthropicAdapterModule from "../src/providers/anthropic/adapter.js";
import type * as GeminiAdapterModule from "../src/providers/gemini/adapter.js";
import type * as RedactionModule from "../src/providers/shared/redacting-adapter.js";
import type * as FramesModule from "../src/gateway/stream-frames.js";
import type * as SettlementModule from "../src/gateway/settlement.js";

const STREAMS = Number(process.env.FRAMES_STREAMS ?? 1_000);
const ROUNDS = Number(process.env.FRAMES_ROUNDS ?? 24);
const PROTOCOL = process.env.FRAMES_PROTOCOL ?? "openai";
const checkouts = [resolve("."), ...(process.env.FRAMES_BASELINE ? [resolve(process.env.FRAMES_BASELINE)] : [])];
const WORDS = "The quick brown fox jumps over the lazy dog.".split(" ");
const created = 1_700_000_000;
const chunk = (delta: Record<string, unknown>, finish: string | null) =>
  `data: ${JSON.stringify({ id: "chatcmpl-bench", object: "chat.completion.chunk", created, model: "bench-model", choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
// one upstream read per frame, as the spaced upstream sends them 20 ms apart
const openAIReads = () => [
  chunk({ role: "assistant", content: "" }, null),
  ...WORDS.map((word, i) => chunk({ content: i === 0 ? word : ` ${word}` }, null)),
  chunk({}, "stop") +
    `data: ${JSON.stringify({ id: "chatcmpl-bench", object: "chat.completion.chunk", created, model: "bench-model", choices: [], usage: { prompt_tokens: 20, completion_tokens: 10, total_tokens: 30 } })}\n\n` +
    "data: [DONE]\n\n",
];
const anthropicEvent = (data: { type: string } & Record<string, unknown>) => `event: ${data.type}\ndata: ${JSON.stringify(data)}\n\n`;
const anthropicReads = () => [
  anthropicEvent({ type: "message_start", message: { id: "msg_bench", type: "message", role: "assistant", model: "bench-model", content: [], usage: { input_tokens: 20, output_tokens: 1 } } }) +
    anthropicEvent({ type: "content_block_start", index: 0, content_block: { type: "text", text: "" } }) +
    anthropicEvent({ type: "ping" }),
  ...WORDS.map((word, i) => anthropicEvent({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text: i === 0 ? word : ` ${word}` } })),
  anthropicEvent({ type: "content_block_stop", index: 0 }) +
    anthropicEvent({ type: "message_delta", delta: { stop_reason: "end_turn", stop_sequence: null }, usage: { output_tokens: 10 } }) +
    anthropicEvent({ type: "message_stop" }),
];
const geminiEvent = (text: string, last: boolean) =>
  `data: ${JSON.stringify({
    candidates: [{ content: { parts: [{ text }], role: "model" }, ...(last ? { finishReason: "STOP" } : {}), index: 0 }],
    ...(last ? { usageMetadata: { promptTokenCount: 20, candidatesTokenCount: 10, totalTokenCount: 30 } } : {}),
    modelVersion: "bench-model",
    responseId: "bench-response",
  })}\r\n\r\n`;
const geminiReads = () => [...WORDS.map((word, i) => geminiEvent(i === 0 ? word : ` ${word}`, false)), geminiEvent("", true)];
const reads = (PROTOCOL === "anthropic" ? anthropicReads() : PROTOCOL === "gemini" ? geminiReads() : openAIReads()).map((text) => Buffer.from(text));


const http = {
  async postJson() {
    const body = new Readable({ read() {} });
    let i = 0;
    const pushNext = () => {
      body.push(reads[i]);
      i += 1;
      if (i < reads.length) setImmediate(pushNext);
      else body.push(null);
    };
    setImmediate(pushNext);
    return { status: 200, headers: { "content-type": "text/event-stream" }, body };
  },
} as unknown as UpstreamHttp;
const context = { apiKey: "k", baseUrl: "http://upstream/v1", timeouts: { connectMs: 1_000, firstByteMs: 10_000, idleMs: 10_000 } };
const request = { model: "bench-model", messages: [{ role: "user" as const, content: "hi" }] };
const header = { id: "gen-1", model: "bench/spaced", provider: "Bench", created };
const usage = { promptTokens: 20, completionTokens: 10, cachedPromptTokens: 0, cacheWritePromptTokens: 0, reasoningTokens: 0 };
const sink = new Writable({
  writev(_chunks, callback) {
    callback();
  },
});

/** One checkout's stream path: a function that runs one stream through it. */
async function streamPathOf(root: string): Promise<() => Promise<void>> {
  const { createOpenAICompatibleAdapter } = (await import(`${root}/src/providers/openai-compatible/adapter.ts`)) as typeof AdapterModule;
  const { createAnthropicAdapter } = (await import(`${root}/src/providers/anthropic/adapter.ts`)) as typeof AnthropicAdapterModule;
  const { createGeminiAdapter } = (await import(`${root}/src/providers/gemini/adapter.ts`)) as typeof GeminiAdapterModule;
  const { withSecretsRedacted } = (await import(`${root}/src/providers/shared/redacting-adapter.ts`)) as typeof RedactionModule;
  const { streamFrames } = (await import(`${root}/src/gateway/stream-frames.ts`)) as typeof FramesModule;
  const { NO_CHARGE } = (await import(`${root}/src/gateway/settlement.ts`)) as typeof SettlementModule;
  // wrapped as the registry wraps every adapter
  const create = PROTOCOL === "anthropic" ? createAnthropicAdapter : PROTOCOL === "gemini" ? createGeminiAdapter : createOpenAICompatibleAdapter;
  const adapter = withSecretsRedacted(create(http));
  const charged = { usage, settlement: NO_CHARGE } as unknown as ReturnType<Parameters<typeof FramesModule.streamFrames>[0]["end"]>;
  return async () => {
    const upstream = await adapter.stream(request, context);
    let corked = false;
    const uncork = () => {
      corked = false;
      sink.uncork();
    };
    // a stream that failed or did not finish would measure something else: stop the bench
    const end = (ended: FramesModule.StreamEnd) => {
      if (ended.error !== undefined || ended.finishReason !== "stop") throw new Error(`a ${PROTOCOL} stream did not finish: ${ended.error?.message ?? ended.finishReason}`);
      return charged;
    };
    for await (const frame of streamFrames({ header, upstream, end })) {
      if (!corked) {
        corked = true;
        sink.cork();
        process.nextTick(uncork);
      }
      sink.write(frame);
    }
  };
}

const paths = await Promise.all(checkouts.map(streamPathOf));
const perFrame: number[][] = checkouts.map(() => []);
for (let round = 0; round < ROUNDS; round += 1) {
  // alternate which goes first; the first two rounds warm up
  const order = round % 2 === 0 ? paths.map((_, i) => i) : paths.map((_, i) => paths.length - 1 - i);
  for (const i of order) {
    const before = process.cpuUsage();
    // 100 streams at a time, as a gateway has many open at once
    for (let done = 0; done < STREAMS; done += 100) await Promise.all(Array.from({ length: 100 }, paths[i]!));
    const cpu = process.cpuUsage(before);
    if (round >= 2) perFrame[i]!.push((cpu.user + cpu.system) / (STREAMS * reads.length));
  }
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
checkouts.forEach((root, i) => process.stdout.write(`${root}: median ${median(perFrame[i]!).toFixed(2)} µs CPU per upstream read (${(median(perFrame[i]!) * reads.length).toFixed(0)} µs per stream)\n`));
if (checkouts.length === 2) {
  const ratios = perFrame[0]!.map((value, i) => value / perFrame[1]![i]!);
  process.stdout.write(`this checkout / baseline, median of ${ratios.length} paired rounds: ${median(ratios).toFixed(3)}\n`);
}
