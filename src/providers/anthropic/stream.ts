/**
 * Anthropic Messages SSE → normalized chunks. Event order: message_start, then per content
 * block content_block_start / content_block_delta (text_delta, input_json_delta, thinking_delta,
 * signature_delta) / content_block_stop, then message_delta (stop_reason, cumulative usage) and
 * message_stop; `ping` may appear anywhere; `error` is a failure mid-stream.
 * https://docs.anthropic.com/en/docs/build-with-claude/streaming
 */
import { UpstreamError, type StreamChunk } from "../spec.js";
import { cutStreamError, drainInBackground, parseEventJson, type StreamMeta } from "../shared/exchange.js";
import { asCount, asRecord, asString } from "../shared/json.js";
import type { SseEvent } from "../shared/sse-parser.js";
import { ANTHROPIC_REASONING_FORMAT, normalizeStopReason, statusForErrorType } from "../../domain/anthropic-messages.js";
import { anthropicErrorDetails, readAnthropicUsage, reasoningDetailOf } from "./response.js";

const chunk = (delta: StreamChunk["delta"]): StreamChunk => ({ delta, finishReason: null, nativeFinishReason: null });

/**
 * Translates one Anthropic stream. The input of `jsonTool` (the tool forced to carry a
 * response_format answer) streams as content, and its tool_use stop is a normal stop.
 */
export async function* translateAnthropicStream(events: AsyncIterable<SseEvent>, meta: StreamMeta, jsonTool?: string): AsyncGenerator<StreamChunk> {
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
