/**
 * OpenAI chat.completion.chunk SSE stream → normalized chunks. Frames are `data: {chunk}` and
 * end with `data: [DONE]`; usage arrives in a last chunk with `choices: []` when
 * `stream_options.include_usage` is set (Groq puts it under `x_groq.usage`). A `{"error":…}`
 * frame is the upstream failing mid-stream. A stream that stops before `[DONE]` and before any
 * finish_reason was cut.
 */
import { UpstreamError, type ChunkDelta, type StreamChunk, type ToolCallDelta, type Usage } from "../spec.js";
import { cutStreamError, parseEventJson, type StreamMeta } from "../shared/exchange.js";
import { asArray, asRecord, asString } from "../shared/json.js";
import type { SseEvent } from "../shared/sse-parser.js";
import { StreamTranslation } from "../shared/stream-translation.js";
import { plainContent } from "./plain-content-frame.js";
import { normalizeFinishReason, openAIErrorDetails, readReasoningDetails, readUsage } from "./response.js";

/** What one stream choice adds: its delta and its tokens' log probabilities. */
export type ChoiceReader = (choice: Record<string, unknown>) => { delta: ChunkDelta; logprobs: Record<string, unknown> | undefined };

/** A Chat Completions choice: `delta` and `logprobs` as they are. */
const chatChoice: ChoiceReader = (choice) => ({ delta: readDelta(asRecord(choice.delta) ?? {}), logprobs: asRecord(choice.logprobs) });

/** Translates one OpenAI-style chat stream. */
export function translateOpenAIStream(events: AsyncIterable<SseEvent>, meta: StreamMeta): AsyncIterableIterator<StreamChunk> {
  return translateOpenAIStreamOf(events, meta, chatChoice);
}

/**
 * Translates one OpenAI-style stream whose choices `readChoice` reads (the same framing, usage
 * chunk and end marker serve Chat Completions and the legacy Completions).
 */
export function translateOpenAIStreamOf(events: AsyncIterable<SseEvent>, meta: StreamMeta, readChoice: ChoiceReader): AsyncIterableIterator<StreamChunk> {
  return new OpenAIStreamTranslation(events[Symbol.asyncIterator](), meta, readChoice);
}

class OpenAIStreamTranslation extends StreamTranslation {
  private usage: Usage | undefined;
  private finished = false;

  constructor(
    events: AsyncIterator<SseEvent>,
    private readonly meta: StreamMeta,
    private readonly readChoice: ChoiceReader,
  ) {
    super(events);
  }

  protected translate(event: SseEvent): StreamChunk | undefined {
    if (event.data.trim() === "[DONE]") {
      this.stopAtMarker();
      return this.usageChunk();
    }
    const meta = this.meta;
    // a frame of only text, once the stream's id and model are known, needs no full parse
    const content = this.readChoice === chatChoice && meta.upstreamId && meta.model ? plainContent(event.data) : undefined;
    if (content !== undefined) return { delta: { content }, finishReason: null, nativeFinishReason: null };
    const chunk = asRecord(parseEventJson(event));
    if (!chunk) throw new UpstreamError("The provider's stream carried a non-object frame", { kind: "invalid_response", rawBody: event.data });
    if (chunk.error !== undefined) throw streamError(chunk);
    if (!meta.upstreamId) meta.upstreamId = asString(chunk.id) ?? "";
    if (!meta.model) meta.model = asString(chunk.model) ?? "";
    const usageSource = chunk.usage ?? asRecord(chunk.x_groq)?.usage;
    if (asRecord(usageSource)) this.usage = readUsage(usageSource);
    const choice = asRecord(asArray(chunk.choices)[0]);
    if (!choice) return undefined;
    const native = asString(choice.finish_reason) ?? null;
    if (native !== null) this.finished = true;
    const { delta, logprobs } = this.readChoice(choice);
    if (Object.keys(delta).length === 0 && native === null && !logprobs) return undefined;
    return { delta, finishReason: native === null ? null : normalizeFinishReason(native), nativeFinishReason: native, ...(logprobs ? { logprobs } : {}) };
  }

  /** The events ended without the end marker: cut, unless a finish came first. */
  protected ended(): StreamChunk | undefined {
    if (!this.finished) throw cutStreamError();
    return this.usageChunk();
  }

  /** The usage chunk, when the upstream reported usage. */
  private usageChunk(): StreamChunk | undefined {
    return this.usage === undefined ? undefined : { delta: {}, finishReason: null, nativeFinishReason: null, usage: this.usage };
  }
}

function readDelta(delta: Record<string, unknown>): ChunkDelta {
  const out: ChunkDelta = {};
  if (delta.role === "assistant") out.role = "assistant";
  const content = asString(delta.content);
  if (content !== undefined && content !== "") out.content = content;
  const reasoning = asString(delta.reasoning) ?? asString(delta.reasoning_content);
  if (reasoning !== undefined && reasoning !== "") out.reasoning = reasoning;
  const details = readReasoningDetails(delta.reasoning_details);
  if (details) out.reasoning_details = details;
  const refusal = asString(delta.refusal);
  if (refusal !== undefined && refusal !== "") out.refusal = refusal;
  const toolCalls = asArray(delta.tool_calls)
    .map(asRecord)
    .filter((call) => call !== undefined)
    .map((call, position): ToolCallDelta => {
      const fn = asRecord(call.function);
      const piece: ToolCallDelta = { index: typeof call.index === "number" ? call.index : position };
      const id = asString(call.id);
      if (id !== undefined) {
        piece.id = id;
        piece.type = "function";
      }
      if (fn) {
        piece.function = {};
        const name = asString(fn.name);
        if (name !== undefined) piece.function.name = name;
        const args = asString(fn.arguments);
        if (args !== undefined) piece.function.arguments = args;
      }
      return piece;
    });
  if (toolCalls.length > 0) out.tool_calls = toolCalls;
  return out;
}

function streamError(chunk: Record<string, unknown>): UpstreamError {
  const details = openAIErrorDetails(chunk);
  const code = asRecord(chunk.error)?.code;
  const status = typeof code === "number" && code >= 400 && code < 600 ? code : 502;
  return new UpstreamError(details.message ?? "The provider reported an error mid-stream", {
    kind: "http",
    status,
    rawBody: JSON.stringify(chunk),
    ...(details.code === undefined ? {} : { upstreamCode: details.code }),
  });
}
