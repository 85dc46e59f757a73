/**
 * Anthropic Messages SSE → normalized chunks. Event order: message_start, then per content
 * block content_block_start / content_block_delta (text_delta, input_json_delta, thinking_delta,
 * signature_delta) / content_block_stop, then message_delta (stop_reason, cumulative usage) and
 * message_stop; `ping` may appear anywhere; `error` is a failure mid-stream.
 * https://docs.anthropic.com/en/docs/build-with-claude/streaming
 */
import { UpstreamError, type StreamChunk } from "../spec.js";
import { cutStreamError, parseEventJson, type StreamMeta } from "../shared/exchange.js";
import { asCount, asRecord, asString } from "../shared/json.js";
import type { SseEvent } from "../shared/sse-parser.js";
import { StreamTranslation } from "../shared/stream-translation.js";
import { ANTHROPIC_REASONING_FORMAT, normalizeStopReason, statusForErrorType } from "../../domain/anthropic-messages.js";
import { anthropicErrorDetails, readAnthropicUsage, reasoningDetailOf } from "./response.js";

const chunk = (delta: StreamChunk["delta"]): StreamChunk => ({ delta, finishReason: null, nativeFinishReason: null });

/**
 * Translates one Anthropic stream. The input of `jsonTool` (the tool forced to carry a
 * response_format answer) streams as content, and its tool_use stop is a normal stop.
 */
export function translateAnthropicStream(events: AsyncIterable<SseEvent>, meta: StreamMeta, jsonTool?: string): AsyncIterableIterator<StreamChunk> {
  return new AnthropicStreamTranslation(events[Symbol.asyncIterator](), meta, jsonTool);
}

class AnthropicStreamTranslation extends StreamTranslation {
  private readonly usage: Record<string, unknown> = {};
  private readonly toolIndexByBlock = new Map<number, number>();
  private readonly jsonBlocks = new Set<number>();

  constructor(
    events: AsyncIterator<SseEvent>,
    private readonly meta: StreamMeta,
    private readonly jsonTool: string | undefined,
  ) {
    super(events);
  }

  protected translate(event: SseEvent): StreamChunk | undefined {
    const data = asRecord(parseEventJson(event));
    if (!data) throw new UpstreamError("The provider's stream carried a non-object event", { kind: "invalid_response", rawBody: event.data });
    switch (asString(data.type) ?? event.event) {
      case "content_block_delta":
        return this.blockDelta(data);
      case "message_start": {
        const message = asRecord(data.message) ?? {};
        this.meta.upstreamId = asString(message.id) ?? "";
        this.meta.model = asString(message.model) ?? "";
        mergeUsage(this.usage, message.usage);
        return chunk({ role: "assistant" });
      }
      case "content_block_start":
        return this.blockStart(data);
      case "message_delta": {
        mergeUsage(this.usage, data.usage);
        const native = asString(asRecord(data.delta)?.stop_reason) ?? null;
        if (native === null) return undefined;
        const answeredInJson = native === "tool_use" && this.toolIndexByBlock.size === 0 && this.jsonBlocks.size > 0;
        return { delta: {}, finishReason: normalizeStopReason(answeredInJson ? "end_turn" : native), nativeFinishReason: native };
      }
      case "message_stop":
        this.stopAtMarker();
        return this.usageChunk();
      case "error": {
        const details = anthropicErrorDetails(data);
        throw new UpstreamError(details.message ?? "The provider reported an error mid-stream", {
          kind: "http",
          status: statusForErrorType(details.code),
          rawBody: event.data,
          ...(details.code === undefined ? {} : { upstreamCode: details.code }),
        });
      }
      default:
        // ping, content_block_stop and event types added later carry nothing to forward.
        return undefined;
    }
  }

  /** The events ended before message_stop: the stream was cut. */
  protected ended(): StreamChunk | undefined {
    throw cutStreamError();
  }

  private blockStart(data: Record<string, unknown>): StreamChunk | undefined {
    const block = asRecord(data.content_block) ?? {};
    const blockIndex = asCount(data.index);
    if (block.type === "tool_use" && this.jsonTool !== undefined && block.name === this.jsonTool) {
      this.jsonBlocks.add(blockIndex);
      return undefined;
    }
    if (block.type === "tool_use") {
      const toolIndex = this.toolIndexByBlock.size;
      this.toolIndexByBlock.set(blockIndex, toolIndex);
      return chunk({
        tool_calls: [{ index: toolIndex, id: asString(block.id) ?? "", type: "function", function: { name: asString(block.name) ?? "", arguments: "" } }],
      });
    }
    if (block.type === "text" && asString(block.text)) return chunk({ content: asString(block.text) });
    if (block.type === "redacted_thinking") return chunk({ reasoning_details: [reasoningDetailOf(block, blockIndex)] });
    return undefined;
  }

  private blockDelta(data: Record<string, unknown>): StreamChunk | undefined {
    const delta = asRecord(data.delta) ?? {};
    if (delta.type === "text_delta") return chunk({ content: asString(delta.text) ?? "" });
    if (delta.type === "thinking_delta") {
      const piece = asString(delta.thinking) ?? "";
      return chunk({ reasoning: piece, reasoning_details: [{ type: "reasoning.text", text: piece, format: ANTHROPIC_REASONING_FORMAT, index: asCount(data.index) }] });
    }
    if (delta.type === "signature_delta") {
      // the signature closes the thinking block: clients pass it back with the text (joined by index)
      const signature = asString(delta.signature) ?? "";
      return chunk({ reasoning_details: [{ type: "reasoning.text", text: "", signature, format: ANTHROPIC_REASONING_FORMAT, index: asCount(data.index) }] });
    }
    if (delta.type !== "input_json_delta") return undefined;
    const blockIndex = asCount(data.index);
    if (this.jsonBlocks.has(blockIndex)) {
      const piece = asString(delta.partial_json) ?? "";
      return piece === "" ? undefined : chunk({ content: piece });
    }
    const toolIndex = this.toolIndexByBlock.get(blockIndex) ?? 0;
    return chunk({ tool_calls: [{ index: toolIndex, function: { arguments: asString(delta.partial_json) ?? "" } }] });
  }

  /** The usage gathered over the stream, as the last chunk (none when the upstream reported none). */
  private usageChunk(): StreamChunk | undefined {
    if (Object.keys(this.usage).length === 0) return undefined;
    return { delta: {}, finishReason: null, nativeFinishReason: null, usage: readAnthropicUsage(this.usage) };
  }
}

/** Usage counts in message_delta are cumulative: later values replace earlier ones (read as counts later). */
function mergeUsage(into: Record<string, unknown>, value: unknown): void {
  const usage = asRecord(value);
  if (!usage) return;
  for (const [key, count] of Object.entries(usage)) if (count !== null && count !== undefined) into[key] = count;
}
