/**
 * The chat stream's chunks → Anthropic's stream events
 * (https://docs.anthropic.com/en/docs/build-with-claude/streaming): `message_start`, `ping`, then
 * per content block `content_block_start`, `content_block_delta` (`thinking_delta`,
 * `signature_delta`, `text_delta`, `input_json_delta`), `content_block_stop`; then
 * `message_delta` with the stop_reason and the usage (input and cache counts included: they are
 * known only once the answer ended) and `message_stop`. A failure mid-stream is an `error` event.
 * Blocks never interleave: a new kind of delta closes the open block first.
 */
import { anthropicStopReason, type ReasoningDetailLike } from "../../domain/anthropic-messages.js";
import type { ChatStreamChunk } from "../chat-frames.js";
import { errorEvent, PING_EVENT, sseEvent } from "./errors.js";
import { messagesUsage, type ChatUsage } from "./from-chat.js";

type Detail = ReasoningDetailLike & { summary?: unknown };

interface ToolCallDelta {
  index?: number;
  id?: string;
  function?: { name?: string; arguments?: string };
}

/** Writes the Anthropic events for a chat stream. */
export async function* messagesStream(chunks: AsyncIterable<ChatStreamChunk>): AsyncGenerator<string, void, undefined> {
  const blocks = new BlockWriter();
  let started = false;
  let finish: string | null = null;
  let native: string | null = null;
  let usage: ChatUsage | undefined;
  for await (const chunk of chunks) {
    if (!started) {
      started = true;
      const message = { id: chunk.id, type: "message", role: "assistant", model: chunk.model, container: null, content: [], stop_reason: null, stop_details: null, stop_sequence: null };
      yield sseEvent("message_start", { type: "message_start", message: { ...message, usage: messagesUsage(undefined) } });
      yield PING_EVENT;
    }
    if (chunk.error) {
      yield* blocks.close();
      yield errorEvent(chunk.error.code, chunk.error.message);
      return;
    }
    if (chunk.usage) usage = chunk.usage as ChatUsage;
    for (const choice of chunk.choices) {
      yield* deltaEvents(blocks, choice.delta);
      if (choice.finish_reason !== null) {
        finish = choice.finish_reason;
        native = choice.native_finish_reason ?? null;
      }
    }
  }
  if (!started) return;
  yield* blocks.close();
  yield sseEvent("message_delta", { type: "message_delta", delta: { stop_reason: anthropicStopReason(finish, native), stop_sequence: null }, usage: messagesUsage(usage) });
  yield sseEvent("message_stop", { type: "message_stop" });
}

function* deltaEvents(blocks: BlockWriter, delta: ChatStreamChunk["choices"][number]["delta"]): Generator<string> {
  const details = (Array.isArray(delta.reasoning_details) ? delta.reasoning_details : []) as Detail[];
  for (const detail of details) {
    if (detail.type === "reasoning.encrypted" && typeof detail.data === "string") {
      yield* blocks.open(`redacted:${blocks.count}`, { type: "redacted_thinking", data: detail.data });
      yield* blocks.close();
      continue;
    }
    const text = detail.type === "reasoning.text" ? detail.text : detail.type === "reasoning.summary" ? detail.summary : undefined;
    if (text === undefined && detail.type !== "reasoning.text") continue;
    yield* blocks.open(`thinking:${typeof detail.index === "number" ? detail.index : 0}`, { type: "thinking", thinking: "", signature: "" });
    if (typeof text === "string" && text !== "") yield blocks.delta({ type: "thinking_delta", thinking: text });
    if (typeof detail.signature === "string" && detail.signature !== "") yield blocks.delta({ type: "signature_delta", signature: detail.signature });
  }
  // reasoning without details (some upstreams send only the text)
  if (details.length === 0 && typeof delta.reasoning === "string" && delta.reasoning !== "") {
    yield* blocks.open("thinking:plain", { type: "thinking", thinking: "", signature: "" });
    yield blocks.delta({ type: "thinking_delta", thinking: delta.reasoning });
  }
  if (typeof delta.content === "string" && delta.content !== "") {
    yield* blocks.open("text", { type: "text", text: "", citations: null });
    yield blocks.delta({ type: "text_delta", text: delta.content });
  }
  for (const call of (delta.tool_calls ?? []) as ToolCallDelta[]) {
    yield* blocks.open(`tool:${call.index ?? 0}`, { type: "tool_use", id: call.id ?? "", caller: { type: "direct" }, name: call.function?.name ?? "", input: {} });
    const piece = call.function?.arguments ?? "";
    if (piece !== "") yield blocks.delta({ type: "input_json_delta", partial_json: piece });
  }
}

/** The open content block and the numbering of blocks. */
class BlockWriter {
  /** Blocks started so far. */
  count = 0;
  private openKey: string | undefined;

  /** Starts a block under `key` unless it is the open one (closing the open one first). */
  *open(key: string, contentBlock: Record<string, unknown>): Generator<string> {
    if (this.openKey === key) return;
    yield* this.close();
    this.openKey = key;
    this.count += 1;
    yield sseEvent("content_block_start", { type: "content_block_start", index: this.count - 1, content_block: contentBlock });
  }

  delta(delta: Record<string, unknown>): string {
    return sseEvent("content_block_delta", { type: "content_block_delta", index: this.count - 1, delta });
  }

  *close(): Generator<string> {
    if (this.openKey === undefined) return;
    this.openKey = undefined;
    yield sseEvent("content_block_stop", { type: "content_block_stop", index: this.count - 1 });
  }
}
