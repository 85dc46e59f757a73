/**
 * The chat stream re-framed as the Responses event sequence (the `openai` SDK's
 * `ResponseStreamEvent`s, each with its `sequence_number`): `response.created`,
 * `response.in_progress`, then per output item `response.output_item.added`, its parts and
 * deltas (`response.reasoning_text.delta`, `response.reasoning_summary_text.delta`,
 * `response.output_text.delta`, `response.function_call_arguments.delta`, ...) and
 * `response.output_item.done`, and last `response.completed` (or `response.incomplete` /
 * `response.failed`) with the usage and cost of the chat stream's usage chunk, then `[DONE]`
 * (OpenRouter's sentinel, which the SDK skips).
 */
import type { ChatStreamChunk } from "../chat-frames.js";
import { addDetail, newDraft, reasoningItem, startsNewItem, type ReasoningDetail, type ReasoningDraft } from "./reasoning-items.js";
import { errorCodeFor, itemId, outcomeOf, outputTextPart, responseObject, responsesUsage, type ResponseContext, type ResponseHeader } from "./response-object.js";

type Json = Record<string, unknown>;

interface OpenReasoning {
  outputIndex: number;
  draft: ReasoningDraft;
  textStarted: boolean;
  summaryStarted: boolean;
}

interface OpenMessage {
  outputIndex: number;
  id: string;
  text?: { index: number; text: string; logprobs: unknown[] };
  refusal?: { index: number; text: string };
  parts: number;
}

interface OpenCall {
  outputIndex: number;
  id: string;
  callId: string;
  name: string;
  arguments: string;
}

/** A chat tool call delta. */
interface ToolCallDelta {
  index?: number;
  id?: string;
  function?: { name?: string; arguments?: string };
}

/** Writes one response's events; each method answers the SSE frames to send. */
export class ResponsesStreamWriter {
  private sequence = 0;
  private started = false;
  private readonly output: Json[] = [];
  private reasoning: OpenReasoning | undefined;
  private message: OpenMessage | undefined;
  private readonly calls = new Map<number, OpenCall>();
  private finishReason: string | null = null;
  private usage: Json | undefined;
  private frames: string[] = [];

  /** `header` names the response until the first chunk tells the served model; `nowSeconds` stamps `completed_at`. */
  constructor(
    private readonly context: ResponseContext,
    private header: ResponseHeader,
    private readonly nowSeconds: () => number,
  ) {}

  /** The events one chat chunk makes. */
  chunk(chunk: ChatStreamChunk): string[] {
    if (!this.started) this.start({ ...this.header, model: chunk.model || this.header.model });
    if (chunk.error) return this.fail(chunk.error);
    const choice = chunk.choices[0];
    if (choice) {
      const delta = choice.delta;
      for (const detail of reasoningOf(delta)) this.reasoningDelta(detail);
      if (delta.content) this.textDelta(delta.content, (choice.logprobs as { content?: unknown[] } | null | undefined)?.content);
      if (typeof delta.refusal === "string" && delta.refusal !== "") this.refusalDelta(delta.refusal);
      for (const call of (delta.tool_calls ?? []) as ToolCallDelta[]) this.toolCallDelta(call);
      if (choice.finish_reason) this.finishReason = choice.finish_reason;
    }
    if (chunk.usage) this.usage = chunk.usage;
    return this.take();
  }

  /** The events that end a stream that ended well: open items done, the final response, `[DONE]`. */
  end(): string[] {
    if (!this.started) this.start(this.header);
    const outcome = outcomeOf(this.finishReason);
    const itemStatus = outcome.status === "incomplete" ? "incomplete" : "completed";
    this.closeReasoning(itemStatus);
    this.closeMessage(itemStatus);
    this.closeCalls();
    const response = responseObject(this.context, this.header, outcome, this.output, responsesUsage(this.usage), this.nowSeconds());
    this.emit(`response.${outcome.status}`, { response });
    this.frames.push("data: [DONE]\n\n");
    return this.take();
  }

  /** The events of a failure (mid-stream, or before anything was sent): what was produced as incomplete items, then `response.failed` with the error. */
  fail(error: { code: number; message: string }): string[] {
    if (!this.started) this.start(this.header);
    this.closeReasoning("incomplete");
    this.closeMessage("incomplete");
    this.closeCalls("incomplete");
    const outcome = { status: "failed" as const, error: { code: errorCodeFor(error.code), message: error.message } };
    this.emit("response.failed", { response: responseObject(this.context, this.header, outcome, this.output) });
    return this.take();
  }

  private start(header: ResponseHeader): void {
    this.started = true;
    this.header = header;
    const response = responseObject(this.context, header, { status: "in_progress" }, []);
    this.emit("response.created", { response });
    this.emit("response.in_progress", { response });
  }

  private reasoningDelta(detail: ReasoningDetail): void {
    this.closeMessage();
    if (startsNewItem(this.reasoning?.draft, detail)) {
      this.closeReasoning();
      const outputIndex = this.output.length;
      const draft = newDraft(itemId("rs", this.header, outputIndex));
      this.reasoning = { outputIndex, draft, textStarted: false, summaryStarted: false };
      this.addItem(outputIndex, { type: "reasoning", id: draft.id, summary: [], status: "in_progress" });
    }
    const open = this.reasoning!;
    const where = { item_id: open.draft.id, output_index: open.outputIndex };
    const { text, summary } = addDetail(open.draft, detail);
    if (text !== "") {
      if (!open.textStarted) this.emit("response.content_part.added", { ...where, content_index: 0, part: { type: "reasoning_text", text: "" } });
      open.textStarted = true;
      this.emit("response.reasoning_text.delta", { ...where, content_index: 0, delta: text });
    }
    if (summary !== "") {
      if (!open.summaryStarted) this.emit("response.reasoning_summary_part.added", { ...where, summary_index: 0, part: { type: "summary_text", text: "" } });
      open.summaryStarted = true;
      this.emit("response.reasoning_summary_text.delta", { ...where, summary_index: 0, delta: summary });
    }
  }

  private closeReasoning(status = "completed"): void {
    const open = this.reasoning;
    if (!open) return;
    this.reasoning = undefined;
    const where = { item_id: open.draft.id, output_index: open.outputIndex };
    if (open.textStarted) {
      this.emit("response.reasoning_text.done", { ...where, content_index: 0, text: open.draft.text });
      this.emit("response.content_part.done", { ...where, content_index: 0, part: { type: "reasoning_text", text: open.draft.text } });
    }
    if (open.summaryStarted) {
      const part = { type: "summary_text", text: open.draft.summary };
      this.emit("response.reasoning_summary_text.done", { ...where, summary_index: 0, text: open.draft.summary });
      this.emit("response.reasoning_summary_part.done", { ...where, summary_index: 0, part });
    }
    this.doneItem(open.outputIndex, reasoningItem(open.draft, this.context.includeEncrypted, status));
  }

  private openMessage(): OpenMessage {
    if (this.message) return this.message;
    this.closeReasoning();
    const outputIndex = this.output.length;
    const id = itemId("msg", this.header, outputIndex);
    this.message = { outputIndex, id, parts: 0 };
    this.addItem(outputIndex, { type: "message", id, role: "assistant", status: "in_progress", content: [] });
    return this.message;
  }

  private textDelta(delta: string, logprobs: unknown[] | undefined): void {
    const message = this.openMessage();
    const where = { item_id: message.id, output_index: message.outputIndex };
    if (!message.text) {
      message.text = { index: message.parts++, text: "", logprobs: [] };
      this.emit("response.content_part.added", { ...where, content_index: message.text.index, part: outputTextPart("", this.wantsLogprobs() ? [] : undefined) });
    }
    message.text.text += delta;
    if (logprobs) message.text.logprobs.push(...logprobs);
    this.emit("response.output_text.delta", { ...where, content_index: message.text.index, delta, logprobs: logprobs ?? [] });
  }

  private refusalDelta(delta: string): void {
    const message = this.openMessage();
    const where = { item_id: message.id, output_index: message.outputIndex };
    if (!message.refusal) {
      message.refusal = { index: message.parts++, text: "" };
      this.emit("response.content_part.added", { ...where, content_index: message.refusal.index, part: { type: "refusal", refusal: "" } });
    }
    message.refusal.text += delta;
    this.emit("response.refusal.delta", { ...where, content_index: message.refusal.index, delta });
  }

  private closeMessage(status = "completed"): void {
    const message = this.message;
    if (!message) return;
    this.message = undefined;
    const where = { item_id: message.id, output_index: message.outputIndex };
    const content: Json[] = [];
    if (message.text) {
      const { index, text, logprobs } = message.text;
      const part = outputTextPart(text, this.wantsLogprobs() ? logprobs : undefined);
      this.emit("response.output_text.done", { ...where, content_index: index, text, logprobs });
      this.emit("response.content_part.done", { ...where, content_index: index, part });
      content[index] = part;
    }
    if (message.refusal) {
      const { index, text } = message.refusal;
      const part = { type: "refusal", refusal: text };
      this.emit("response.refusal.done", { ...where, content_index: index, refusal: text });
      this.emit("response.content_part.done", { ...where, content_index: index, part });
      content[index] = part;
    }
    this.doneItem(message.outputIndex, { type: "message", id: message.id, role: "assistant", status, content });
  }

  private toolCallDelta(delta: ToolCallDelta): void {
    const key = delta.index ?? 0;
    let call = this.calls.get(key);
    if (!call) {
      this.closeReasoning();
      this.closeMessage();
      const outputIndex = this.output.length;
      const id = itemId("fc", this.header, outputIndex);
      call = { outputIndex, id, callId: delta.id ?? id, name: delta.function?.name ?? "", arguments: "" };
      this.calls.set(key, call);
      this.addItem(outputIndex, { type: "function_call", id, call_id: call.callId, name: call.name, arguments: "", status: "in_progress" });
    } else if (delta.function?.name && call.name === "") {
      call.name = delta.function.name;
    }
    const piece = delta.function?.arguments ?? "";
    if (piece === "") return;
    call.arguments += piece;
    this.emit("response.function_call_arguments.delta", { item_id: call.id, output_index: call.outputIndex, delta: piece });
  }

  private closeCalls(status = "completed"): void {
    for (const call of this.calls.values()) {
      const where = { item_id: call.id, output_index: call.outputIndex };
      this.emit("response.function_call_arguments.done", { ...where, name: call.name, arguments: call.arguments });
      this.doneItem(call.outputIndex, { type: "function_call", id: call.id, call_id: call.callId, name: call.name, arguments: call.arguments, status });
    }
    this.calls.clear();
  }

  private wantsLogprobs(): boolean {
    return this.context.request.top_logprobs !== undefined && this.context.request.top_logprobs !== null;
  }

  private addItem(outputIndex: number, item: Json): void {
    this.output[outputIndex] = item;
    this.emit("response.output_item.added", { output_index: outputIndex, item });
  }

  private doneItem(outputIndex: number, item: Json): void {
    this.output[outputIndex] = item;
    this.emit("response.output_item.done", { output_index: outputIndex, item });
  }

  private emit(type: string, fields: Json): void {
    const event = { type, sequence_number: this.sequence++, ...fields };
    this.frames.push(`event: ${type}\ndata: ${JSON.stringify(event)}\n\n`);
  }

  private take(): string[] {
    const frames = this.frames;
    this.frames = [];
    return frames;
  }
}

/** A chunk's reasoning as details: its `reasoning_details`, else its plain `reasoning` text. */
function reasoningOf(delta: ChatStreamChunk["choices"][number]["delta"]): ReasoningDetail[] {
  if (delta.reasoning_details && delta.reasoning_details.length > 0) return delta.reasoning_details as ReasoningDetail[];
  return delta.reasoning ? [{ type: "reasoning.text", text: delta.reasoning }] : [];
}

/** The Responses events of a chat stream's chunks. */
export async function* responsesEvents(chunks: AsyncIterable<ChatStreamChunk>, writer: ResponsesStreamWriter): AsyncGenerator<string, void, undefined> {
  for await (const chunk of chunks) {
    const frames = writer.chunk(chunk);
    yield* frames;
    if (chunk.error) return;
  }
  yield* writer.end();
}
