/**
 * CPU per streamed frame of farebox's own stream path, in one process without sockets (npm run
 * bench:stream-frames): an OpenAI-style upstream body (a Readable, as undici's body is) read by
 * the OpenAI-compatible adapter as the registry wraps it (exchange, SSE parser, translation, redaction), turned into the client's SSE
 * frames (stream-frames.ts) and written to a sink through sendSse's loop (cork, write, uncork).
 * CPU time from process.cpuUsage, which a busy machine barely changes, unlike wall time.
 * Settings: FRAMES_STREAMS (20000 streams of the bench upstream's 11 frames), FRAMES_ROUNDS (5).
 */
import { Readable, Writable } from "node:stream";
import { performance } from "node:perf_hooks";
import { createOpenAICompatibleAdapter } from "../src/providers/openai-compatible/adapter.js";
import { withSecretsRedacted } from "../src/providers/shared/redacting-adapter.js";
import type { UpstreamHttp } from "../src/providers/shared/upstream-http.js";
import { streamFrames } from "../src/gateway/stream-frames.js";
import type { Charged } from "../src/gateway/request-end.js";
import { NO_CHARGE } from "../src/gateway/settlement.js";

const STREAMS = Number(process.env.FRAMES_STREAMS ?? 20_000);
const ROUNDS = Number(process.env.FRAMES_ROUNDS ?? 5);
const WORDS = "The quick brown fox jumps over the lazy dog.".split(" ");
const created = 1_700_000_000;
const chunk = (delta: Record<string, unknown>, finish: string | null) =>
  `data: ${JSON.stringify({ id: "chatcmpl-bench", object: "chat.completion.chunk", created, model: "bench-model", choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
// one upstream read per frame, as the spaced upstream sends them 20 ms apart
const reads = [
  chunk({ role: "assistant", content: "" }, null),
  ...WORDS.map((word, i) => chunk({ content: i === 0 ? word : ` ${word}` }, null)),
  chunk({}, "stop") +
    `data: ${JSON.stringify({ id: "chatcmpl-bench", object: "chat.completion.chunk", created, model: "bench-model", choices: [], usage: { prompt_tokens: 20, completion_tokens: 10, total_tokens: 30 } })}\n\n` +
    "data: [DONE]\n\n",
].map((text) => Buffer.from(text));

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
// wrapped as the registry wraps every adapter
const adapter = withSecretsRedacted(createOpenAICompatibleAdapter(http));
const context = { apiKey: "k", baseUrl: "http://upstream/v1", timeouts: { connectMs: 1_000, firstByteMs: 10_000, idleMs: 10_000 } };
const request = { model: "bench-model", messages: [{ role: "user" as const, content: "hi" }] };
const header = { id: "gen-1", model: "bench/spaced", provider: "Bench", created };
const charged = { usage: { promptTokens: 20, completionTokens: 10, cachedPromptTokens: 0, cacheWritePromptTokens: 0, reasoningTokens: 0 }, settlement: NO_CHARGE } as unknown as Charged;

let bytes = 0;
const sink = new Writable({
  writev(chunks, callback) {
    for (const { chunk: part } of chunks) bytes += (part as Buffer).length;
    callback();
  },
});

async function oneStream(): Promise<void> {
  const upstream = await adapter.stream(request, context);
  const frames = streamFrames({ header, upstream, end: () => charged });
  let corked = false;
  const uncork = () => {
    corked = false;
    sink.uncork();
  };
  for await (const frame of frames) {
    if (!corked) {
      corked = true;
      sink.cork();
      process.nextTick(uncork);
    }
    sink.write(frame);
  }
}

async function round(): Promise<{ cpuUsPerFrame: number; wallMs: number }> {
  const before = process.cpuUsage();
  const started = performance.now();
  // 100 streams at a time, as a gateway has many open at once
  for (let done = 0; done < STREAMS; done += 100) await Promise.all(Array.from({ length: 100 }, oneStream));
  const cpu = process.cpuUsage(before);
  return { cpuUsPerFrame: (cpu.user + cpu.system) / (STREAMS * reads.length), wallMs: performance.now() - started };
}

await round(); // warm-up
const results: number[] = [];
for (let i = 0; i < ROUNDS; i += 1) {
  const { cpuUsPerFrame, wallMs } = await round();
  results.push(cpuUsPerFrame);
  process.stdout.write(`round ${i + 1}: ${cpuUsPerFrame.toFixed(2)} µs CPU per upstream frame (${(cpuUsPerFrame * reads.length).toFixed(0)} µs per stream), ${wallMs.toFixed(0)} ms wall\n`);
}
results.sort((a, b) => a - b);
process.stdout.write(`median ${results[Math.floor(results.length / 2)]!.toFixed(2)} µs per frame; ${bytes} bytes written\n`);
