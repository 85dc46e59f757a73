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
import { geminiErrorDetails, geminiReasoningDetails, normalizeGeminiFinish, readGeminiLogprobs, readGeminiUsage, readParts } from "./response.js";

/** Translates one Gemini stream. */
export async function* translateGeminiStream(
  events: AsyncIterable<SseEvent>,
  meta: StreamMeta,
  cut: () => boolean,
): AsyncGenerator<StreamChunk> {
  let usage: Usage | undefined;
  let finished = false;
  let toolIndex = 0;
  let first = true;
  for await (const event of events) {
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
    if (!meta.upstreamId) meta.upstreamId = asString(body.responseId) ?? "";
    if (!meta.model) meta.model = asString(body.modelVersion) ?? "";
    if (body.usageMetadata !== undefined) usage = readGeminiUsage(body.usageMetadata);
    const candidate = asRecord(asArray(body.candidates)[0]);
    const { text, reasoning, calls } = readParts(candidate);
    const delta: StreamChunk["delta"] = first ? { role: "assistant" } : {};
    first = false;
    if (reasoning !== "") {
      delta.reasoning = reasoning;
      delta.reasoning_details = geminiReasoningDetails(reasoning);
    }
    const logprobs = readGeminiLogprobs(candidate);
    if (text !== "") delta.content = text;
    if (calls.length > 0) {
      delta.tool_calls = calls.map((call) => ({ index: toolIndex++, id: call.id, type: "function" as const, function: call.function }));
    }
    const blocked = asString(asRecord(body.promptFeedback)?.blockReason);
    const native = asString(candidate?.finishReason) ?? blocked ?? null;
    if (native !== null) finished = true;
    if (Object.keys(delta).length > 0 || logprobs) yield { delta, finishReason: null, nativeFinishReason: null, ...(logprobs ? { logprobs } : {}) };
    if (native !== null) {
      const finish = candidate ? normalizeGeminiFinish(native, toolIndex > 0) : "content_filter";
      yield { delta: {}, finishReason: finish, nativeFinishReason: native };
    }
  }
  if (!finished || cut()) throw cutStreamError();
  if (usage) yield { delta: {}, finishReason: null, nativeFinishReason: null, usage };
}
