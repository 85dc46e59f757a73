/**
 * The Anthropic and Gemini stream translators as they were written first, as async generators:
 * the reference the plain-iterator translators are checked against (stream-translator-equivalence.test.ts).
 */
import { UpstreamError, type StreamChunk, type Usage } from "../../src/providers/spec.js";
import { cutStreamError, drainInBackground, parseEventJson, type StreamMeta } from "../../src/providers/shared/exchange.js";
import { asArray, asCount, asRecord, asString } from "../../src/providers/shared/json.js";
import type { SseEvent } from "../../src/providers/shared/sse-parser.js";
import { ANTHROPIC_REASONING_FORMAT, normalizeStopReason, statusForErrorType } from "../../src/domain/anthropic-messages.js";
import { anthropicErrorDetails, readAnthropicUsage, reasoningDetailOf } from "../../src/providers/anthropic/response.js";
import { geminiErrorDetails, geminiReasoningDetails, normalizeGeminiFinish, readGeminiLogprobs, readGeminiUsage, readParts } from "../../src/providers/gemini/response.js";

const chunk = (delta: StreamChunk["delta"]): StreamChunk => ({ delta, finishReason: null, nativeFinishReason: null });

/**
 * Translates one Anthropic stream. The input of `jsonTool` (the tool forced to carry a
 * response_format answer) streams as content, and its tool_use stop is a normal stop.
 */
export async function* anthropicStreamGenerator(events: AsyncIterable<SseEvent>, meta: StreamMeta, jsonTool?: string): AsyncGenerator<StreamChunk> {
  const usage: Record<string, unknown> = {};
  const toolIndexByBlock = new Map<number, number>();
  const jsonBlocks = new Set<number>();
  let stopped = false;
  const iterator = events[Symbol.asyncIterator]();
  for (;;) {
    const next = await iterator.next();
    if (next.done) break;
    const data = asRecord(parseEventJson(next.value));
    if (!data) throw new UpstreamError("The provider's stream carried a non-object event", { kind: "invalid_response", rawBody: next.value.data });
    const type = asString(data.type) ?? next.value.event;
    if (type === "message_stop") {
      stopped = true;
      break;
    }
    switch (type) {
      case "message_start": {
        const message = asRecord(data.message) ?? {};
        meta.upstreamId = asString(message.id) ?? "";
        meta.model = asString(message.model) ?? "";
        mergeUsage(usage, message.usage);
        yield chunk({ role: "assistant" });
        break;
      }
      case "content_block_start": {
        const block = asRecord(data.content_block) ?? {};
        const blockIndex = asCount(data.index);
        if (block.type === "tool_use" && jsonTool !== undefined && block.name === jsonTool) {
          jsonBlocks.add(blockIndex);
        } else if (block.type === "tool_use") {
          const toolIndex = toolIndexByBlock.size;
          toolIndexByBlock.set(blockIndex, toolIndex);
          yield chunk({
            tool_calls: [{ index: toolIndex, id: asString(block.id) ?? "", type: "function", function: { name: asString(block.name) ?? "", arguments: "" } }],
          });
        } else if (block.type === "text" && asString(block.text)) {
          yield chunk({ content: asString(block.text) });
        } else if (block.type === "redacted_thinking") {
          yield chunk({ reasoning_details: [reasoningDetailOf(block, blockIndex)] });
        }
        break;
      }
      case "content_block_delta": {
        const delta = asRecord(data.delta) ?? {};
        if (delta.type === "text_delta") yield chunk({ content: asString(delta.text) ?? "" });
        else if (delta.type === "thinking_delta") {
          const piece = asString(delta.thinking) ?? "";
          yield chunk({ reasoning: piece, reasoning_details: [{ type: "reasoning.text", text: piece, format: ANTHROPIC_REASONING_FORMAT, index: asCount(data.index) }] });
        } else if (delta.type === "signature_delta") {
          // the signature closes the thinking block: clients pass it back with the text (joined by index)
          const signature = asString(delta.signature) ?? "";
          yield chunk({ reasoning_details: [{ type: "reasoning.text", text: "", signature, format: ANTHROPIC_REASONING_FORMAT, index: asCount(data.index) }] });
        }
        else if (delta.type === "input_json_delta" && jsonBlocks.has(asCount(data.index))) {
          const piece = asString(delta.partial_json) ?? "";
          if (piece !== "") yield chunk({ content: piece });
        } else if (delta.type === "input_json_delta") {
          const toolIndex = toolIndexByBlock.get(asCount(data.index)) ?? 0;
          yield chunk({ tool_calls: [{ index: toolIndex, function: { arguments: asString(delta.partial_json) ?? "" } }] });
        }
        break;
      }
      case "message_delta": {
        mergeUsage(usage, data.usage);
        const native = asString(asRecord(data.delta)?.stop_reason) ?? null;
        const answeredInJson = native === "tool_use" && toolIndexByBlock.size === 0 && jsonBlocks.size > 0;
        if (native !== null) yield { delta: {}, finishReason: normalizeStopReason(answeredInJson ? "end_turn" : native), nativeFinishReason: native };
        break;
      }
      case "error": {
        const details = anthropicErrorDetails(data);
        throw new UpstreamError(details.message ?? "The provider reported an error mid-stream", {
          kind: "http",
          status: statusForErrorType(details.code),
          rawBody: next.value.data,
          ...(details.code === undefined ? {} : { upstreamCode: details.code }),
        });
      }
      default:
        // ping, content_block_stop and event types added later carry nothing to forward.
        break;
    }
  }
  if (!stopped) throw cutStreamError();
  if (Object.keys(usage).length > 0) yield { delta: {}, finishReason: null, nativeFinishReason: null, usage: readAnthropicUsage(usage) };
  drainInBackground(iterator);
}

/** Usage counts in message_delta are cumulative: later values replace earlier ones (read as counts later). */
function mergeUsage(into: Record<string, unknown>, value: unknown): void {
  const usage = asRecord(value);
  if (!usage) return;
  for (const [key, count] of Object.entries(usage)) if (count !== null && count !== undefined) into[key] = count;
}

/** Translates one Gemini stream. */
export async function* geminiStreamGenerator(
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
