/**
 * Fake Anthropic Messages upstream (`POST /v1/messages`), shapes as documented and recorded from
 * api.anthropic.com: `msg_` ids, content blocks (thinking, text, tool_use), stop_reason, usage
 * with input_tokens excluding cache reads/writes, named SSE events (message_start, ping,
 * content_block_start/delta/stop, message_delta, message_stop) and
 * `{"type":"error","error":{"type","message"}}` error bodies and events.
 */
import { randomBytes } from "node:crypto";
import { DEFAULT_USAGE, finishOf, pieces, textOf, type FakeBehaviour, type RecordedRequest } from "./behaviour.js";
import { retryHeaders, startFakeServer, type FakeOptions, type FakeUpstream, type ProtocolRenderer, type Rendered } from "./server.js";

const id = (prefix: string): string => `${prefix}${randomBytes(12).toString("base64url")}`;
const STOP: Record<string, string> = { stop: "end_turn", length: "max_tokens", tool_calls: "tool_use", content_filter: "refusal" };
const ERROR_TYPES: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  413: "request_too_large",
  429: "rate_limit_error",
  529: "overloaded_error",
};

function usageOf(behaviour: FakeBehaviour): Record<string, number> {
  const usage = behaviour.usage ?? DEFAULT_USAGE;
  const cached = usage.cached ?? 0;
  const cacheWrite = usage.cacheWrite ?? 0;
  return {
    input_tokens: usage.prompt - cached - cacheWrite,
    cache_creation_input_tokens: cacheWrite,
    cache_read_input_tokens: cached,
    output_tokens: usage.completion,
  };
}

function model(behaviour: FakeBehaviour, request: RecordedRequest): string {
  const requested = (request.body as { model?: unknown } | undefined)?.model;
  return behaviour.model ?? (typeof requested === "string" ? requested : "claude-sonnet-4-5");
}

const frame = (event: string, data: unknown): string => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

type Json = Record<string, unknown>;

/**
 * With `tool_choice: {type: "tool", name}` Claude must call that tool: the scripted text (a JSON
 * object) becomes the forced tool's input, as the real API answers.
 */
function forcedTool(behaviour: FakeBehaviour, request: RecordedRequest): FakeBehaviour {
  const choice = (request.body as { tool_choice?: Json } | undefined)?.tool_choice;
  if (choice?.type !== "tool" || typeof choice.name !== "string" || behaviour.toolCalls?.length) return behaviour;
  let input: Record<string, unknown>;
  try {
    input = JSON.parse(textOf(behaviour)) as Record<string, unknown>;
  } catch {
    input = { text: textOf(behaviour) };
  }
  return { ...behaviour, text: "", toolCalls: [{ name: choice.name, arguments: input }] };
}

/** The real API's 400 for a prefill ending in whitespace, or undefined when the request is fine. */
function prefillProblem(request: RecordedRequest): string | undefined {
  const last = ((request.body as { messages?: Json[] } | undefined)?.messages ?? []).at(-1);
  if (last?.role !== "assistant") return undefined;
  const content = last.content;
  const text = typeof content === "string" ? content : ((content as Json[] | undefined)?.at(-1)?.text as string | undefined);
  return typeof text === "string" && /\s$/.test(text) ? "messages: final assistant content cannot end with trailing whitespace" : undefined;
}

/** How Anthropic looks on the wire. */
export const anthropicRenderer: ProtocolRenderer = {
  frameEnd: "\n\n",
  isStream: (request) => (request.body as { stream?: unknown } | undefined)?.stream === true,
  renderError(error) {
    const type = ERROR_TYPES[error.status] ?? "api_error";
    return {
      kind: "json",
      status: error.status,
      headers: { "request-id": id("req_"), ...retryHeaders(error) },
      body: JSON.stringify({ type: "error", error: { type, message: error.message ?? `Fake upstream ${type}` }, request_id: id("req_") }),
    };
  },
  streamErrorFrame: () => frame("error", { type: "error", error: { type: "overloaded_error", message: "Overloaded" } }),
  render(scripted, request, stream): Rendered {
    const problem = prefillProblem(request);
    if (problem !== undefined) return anthropicRenderer.renderError({ status: 400, message: problem });
    const behaviour = forcedTool(scripted, request);
    const messageId = id("msg_");
    const text = textOf(behaviour);
    const calls = (behaviour.toolCalls ?? []).map((call) => ({ id: call.id ?? id("toolu_"), name: call.name, input: call.arguments }));
    const stopReason = STOP[finishOf(behaviour)] ?? "end_turn";
    const usage = usageOf(behaviour);
    if (!stream) {
      const content: unknown[] = [];
      if (behaviour.reasoning !== undefined) content.push({ type: "thinking", thinking: behaviour.reasoning, signature: "EqQBCgIYAhIM" });
      if (text !== "") content.push({ type: "text", text });
      for (const call of calls) content.push({ type: "tool_use", id: call.id, name: call.name, input: call.input });
      return {
        kind: "json",
        status: 200,
        body: JSON.stringify({
          id: messageId,
          type: "message",
          role: "assistant",
          model: model(behaviour, request),
          content,
          stop_reason: stopReason,
          stop_sequence: null,
          usage: { ...usage, service_tier: "standard" },
        }),
      };
    }
    const frames = [
      frame("message_start", {
        type: "message_start",
        message: {
          id: messageId,
          type: "message",
          role: "assistant",
          model: model(behaviour, request),
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { ...usage, output_tokens: 1 },
        },
      }),
      frame("ping", { type: "ping" }),
    ];
    let index = 0;
    if (behaviour.reasoning !== undefined) {
      frames.push(frame("content_block_start", { type: "content_block_start", index, content_block: { type: "thinking", thinking: "", signature: "" } }));
      for (const piece of pieces(behaviour.reasoning)) {
        frames.push(frame("content_block_delta", { type: "content_block_delta", index, delta: { type: "thinking_delta", thinking: piece } }));
      }
      frames.push(frame("content_block_delta", { type: "content_block_delta", index, delta: { type: "signature_delta", signature: "EqQBCgIYAhIM" } }));
      frames.push(frame("content_block_stop", { type: "content_block_stop", index }));
      index++;
    }
    if (text !== "") {
      frames.push(frame("content_block_start", { type: "content_block_start", index, content_block: { type: "text", text: "" } }));
      for (const piece of pieces(text)) {
        frames.push(frame("content_block_delta", { type: "content_block_delta", index, delta: { type: "text_delta", text: piece } }));
      }
      frames.push(frame("content_block_stop", { type: "content_block_stop", index }));
      index++;
    }
    for (const call of calls) {
      const json = JSON.stringify(call.input);
      const half = Math.ceil(json.length / 2);
      frames.push(frame("content_block_start", { type: "content_block_start", index, content_block: { type: "tool_use", id: call.id, name: call.name, input: {} } }));
      for (const part of ["", json.slice(0, half), json.slice(half)]) {
        frames.push(frame("content_block_delta", { type: "content_block_delta", index, delta: { type: "input_json_delta", partial_json: part } }));
      }
      frames.push(frame("content_block_stop", { type: "content_block_stop", index }));
      index++;
    }
    frames.push(
      frame("message_delta", { type: "message_delta", delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: usage.output_tokens } }),
    );
    frames.push(frame("message_stop", { type: "message_stop" }));
    return { kind: "sse", frames };
  },
};

/** Starts a fake Anthropic upstream; point the adapter's baseUrl at `url`. */
export function startFakeAnthropic(options?: FakeOptions): Promise<FakeUpstream> {
  return startFakeServer(anthropicRenderer, options);
}
