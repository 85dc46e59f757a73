/**
 * Gemini `streamGenerateContent?alt=sse` → normalized chunks. Each SSE `data:` event is a whole
 * GenerateContentResponse holding the next parts; function calls arrive whole; usageMetadata is
 * cumulative (the last one counts); the chunk with `finishReason` is the last. There is no end
 * marker, so a body that ends before any finishReason was cut.
 */
import { UpstreamError, type StreamChunk, type Usage } from "../spec.js";
import { cutStreamError, parseEventJson, type StreamMeta } from "../shared/exchange.js";
import { asArray, asRecord, asString } from "../shared/json.js";
import type { SseEvent } from "../shared/sse-parser.js";
import { StreamTranslation } from "../shared/stream-translation.js";
import { geminiErrorDetails, geminiReasoningDetails, normalizeGeminiFinish, readGeminiLogprobs, readGeminiUsage, readParts } from "./response.js";

/** Translates one Gemini stream. */
export function translateGeminiStream(events: AsyncIterable<SseEvent>, meta: StreamMeta, cut: () => boolean): AsyncIterableIterator<StreamChunk> {
  return new GeminiStreamTranslation(events[Symbol.asyncIterator](), meta, cut);
}

class GeminiStreamTranslation extends StreamTranslation {
  private usage: Usage | undefined;
  private finished = false;
  private toolIndex = 0;
  private first = true;

  constructor(
    events: AsyncIterator<SseEvent>,
    private readonly meta: StreamMeta,
    private readonly cut: () => boolean,
  ) {
    super(events);
  }

  /** One response: its parts as one chunk, then its finish as another. */
  protected translate(event: SseEvent): StreamChunk | undefined {
    const body = asRecord(parseEventJson(event));
    if (!body) throw new UpstreamError("The provider's stream carried a non-object event", { kind: "invalid_response", rawBody: event.data });
    if (body.error !== undefined) {
      const details = geminiErrorDetails(body);
      const code = asRecord(body.error)?.code;
      throw new UpstreamError(details.message ?? "The provider reported an error mid-stream", {
        kind: "http",
        status: typeof code === "number" ? code : 500,
        rawBody: event.data,
        ...(details.code === undefined ? {} : { upstreamCode: details.code }),
      });
    }
    const meta = this.meta;
    if (!meta.upstreamId) meta.upstreamId = asString(body.responseId) ?? "";
    if (!meta.model) meta.model = asString(body.modelVersion) ?? "";
    if (body.usageMetadata !== undefined) this.usage = readGeminiUsage(body.usageMetadata);
    const candidate = asRecord(asArray(body.candidates)[0]);
    const { text, reasoning, calls } = readParts(candidate);
    const delta: StreamChunk["delta"] = this.first ? { role: "assistant" } : {};
    this.first = false;
    if (reasoning !== "") {
      delta.reasoning = reasoning;
      delta.reasoning_details = geminiReasoningDetails(reasoning);
    }
    const logprobs = readGeminiLogprobs(candidate);
    if (text !== "") delta.content = text;
    if (calls.length > 0) {
      delta.tool_calls = calls.map((call) => ({ index: this.toolIndex++, id: call.id, type: "function" as const, function: call.function }));
    }
    const blocked = asString(asRecord(body.promptFeedback)?.blockReason);
    const native = asString(candidate?.finishReason) ?? blocked ?? null;
    const parts: StreamChunk | undefined =
      Object.keys(delta).length > 0 || logprobs ? { delta, finishReason: null, nativeFinishReason: null, ...(logprobs ? { logprobs } : {}) } : undefined;
    if (native === null) return parts;
    this.finished = true;
    const finish: StreamChunk = { delta: {}, finishReason: candidate ? normalizeGeminiFinish(native, this.toolIndex > 0) : "content_filter", nativeFinishReason: native };
    if (parts === undefined) return finish;
    this.hold(finish);
    return parts;
  }

  /** There is no end marker: a body that ended before any finishReason, or inside an event, was cut. */
  protected ended(): StreamChunk | undefined {
    if (!this.finished || this.cut()) throw cutStreamError();
    return this.usage === undefined ? undefined : { delta: {}, finishReason: null, nativeFinishReason: null, usage: this.usage };
  }
}
