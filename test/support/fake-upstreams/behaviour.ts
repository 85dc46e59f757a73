/**
 * What a fake upstream does for one request, in protocol-neutral terms. Each fake renders the
 * same behaviour in its own wire format, so one conformance case runs against every protocol.
 */

/** Token counts in normalized terms (OpenAI's convention: prompt includes cached tokens). */
export interface FakeUsage {
  prompt: number;
  completion: number;
  cached?: number;
  cacheWrite?: number;
  reasoning?: number;
}

/** A tool call the fake model makes. */
export interface FakeToolCall {
  id?: string;
  name: string;
  arguments: Record<string, unknown>;
}

/** One scripted answer. Every field is optional; the default is a short text answer. */
export interface FakeBehaviour {
  /** Answer text (default "Hello from the fake upstream."); streams split it into word chunks. */
  text?: string;
  reasoning?: string;
  /** OpenAI wire only: reasoning_details as an OpenRouter-compatible upstream returns them. */
  reasoningDetails?: Record<string, unknown>[];
  toolCalls?: FakeToolCall[];
  /**
   * Normalized finish (default: tool_calls when toolCalls are given, else stop). "error" is what
   * OpenAI-wire upstreams such as OpenRouter say when generation failed (other wires fall back to stop).
   */
  finish?: "stop" | "length" | "tool_calls" | "content_filter" | "error";
  usage?: FakeUsage;
  /** OpenAI wire only: send this object as `usage` verbatim (counts that are no counts, say). */
  rawUsage?: Record<string, unknown>;
  /** Report no usage at all (some OpenAI-compatible servers; ignored where the protocol always sends it). */
  omitUsage?: boolean;
  /** Model name the upstream reports (default: the requested one). */
  model?: string;
  /** Answer with this error status and the protocol's error body instead. */
  error?: { status: number; message?: string; retryAfter?: string };
  /** Wait this long before sending the response headers. */
  firstByteDelayMs?: number;
  /** Delay between stream frames. */
  frameDelayMs?: number;
  /** Answer a stream request with the non-stream JSON body (servers that ignore `stream`). */
  ignoreStream?: boolean;
  /** Destroy the connection before answering anything. */
  resetBeforeResponse?: boolean;
  /** Non-stream: the body is not JSON. Stream: the frame at this index (true = 0) is not JSON. */
  malformed?: boolean | number;
  /** Stream: after this many frames, send the protocol's error event and end. */
  streamErrorAfter?: number;
  /** Stream: after this many frames, go silent with the connection open. */
  stallAfter?: number;
  /** Stream: after this many frames, end the response cleanly but early (no end marker). */
  cutAfter?: number;
  /** Stream: after this many frames, destroy the connection. */
  resetAfter?: number;
  /** Stream: write each frame in slices of this many bytes, one write per event-loop turn. */
  splitFramesBytes?: number;
  /** Stream: send SSE comment lines (keep-alives) between frames. */
  comments?: boolean;
}

/** A fixed behaviour, a queue (consumed in order, the last one repeats) or a function of the request. */
export type FakeScript = FakeBehaviour | FakeBehaviour[] | ((request: RecordedRequest, index: number) => FakeBehaviour);

/** What the fake received. */
export interface RecordedRequest {
  method: string;
  /** Path with query string. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body (undefined when the body was not JSON). */
  body: unknown;
  /** Client port of the connection (equal ports on sequential requests = a reused keep-alive socket). */
  remotePort: number;
  /** Resolves when the client's connection for this request closed. */
  closed: Promise<void>;
  /** True once the connection closed before the fake finished its response. */
  closedEarly: boolean;
}

export const DEFAULT_TEXT = "Hello from the fake upstream.";
export const DEFAULT_USAGE: FakeUsage = { prompt: 12, completion: 7 };

/** The finish reason a behaviour implies. */
export function finishOf(behaviour: FakeBehaviour): NonNullable<FakeBehaviour["finish"]> {
  if (behaviour.finish) return behaviour.finish;
  return behaviour.toolCalls && behaviour.toolCalls.length > 0 ? "tool_calls" : "stop";
}

/** The text a behaviour answers with ("" when it only calls tools). */
export function textOf(behaviour: FakeBehaviour): string {
  if (behaviour.text !== undefined) return behaviour.text;
  return behaviour.toolCalls && behaviour.toolCalls.length > 0 ? "" : DEFAULT_TEXT;
}

/** Splits text into stream pieces (word by word, spaces kept). */
export function pieces(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [];
}

/** Resolves the script for the n-th request. */
export function behaviourFor(script: FakeScript, request: RecordedRequest, index: number): FakeBehaviour {
  if (typeof script === "function") return script(request, index);
  if (Array.isArray(script)) return script[Math.min(index, script.length - 1)] ?? {};
  return script;
}
