/**
 * The protocol-independent half of one upstream call: send, turn error statuses into
 * UpstreamError, read a JSON body, or open a stream that resolves at the first chunk with
 * substance. Adapters supply URLs, headers, bodies and the translation of their wire format.
 */
import { UpstreamError, type AdapterContext, type StreamChunk, type UpstreamStream } from "../spec.js";
import { Attempt } from "./attempt.js";
import { closedBeforeEnd, readSseBody } from "./sse-body-reader.js";
import type { SseEvent } from "./sse-parser.js";
import { decodeUtf8 } from "./utf8.js";
import { parseRetryAfterMs, type UpstreamHttp, type UpstreamResponse } from "./upstream-http.js";

const ERROR_BODY_LIMIT = 64 * 1024;

/** What a protocol's error body says: a message and the provider's own error code/type. */
export interface ErrorDetails {
  message?: string;
  code?: string;
  /** A retry hint found in the body (e.g. Gemini's RetryInfo), used when no header gives one. */
  retryAfterMs?: number;
}

/** One request as an adapter describes it. */
export interface ExchangeRequest {
  http: UpstreamHttp;
  context: AdapterContext;
  url: string;
  headers: Record<string, string>;
  body: unknown;
  /** Reads the provider's error body shape. */
  errorDetails: (json: unknown) => ErrorDetails;
}

/** Mutable facts a stream translator learns as events arrive. */
export interface StreamMeta {
  upstreamId: string;
  model: string;
}

/** Turns a protocol's SSE events into normalized chunks; throws UpstreamError on error events or cuts. */
export type StreamTranslator = (events: AsyncIterable<SseEvent>, meta: StreamMeta, cut: () => boolean) => AsyncIterator<StreamChunk>;

/** Sends a request and returns its parsed JSON body; every failure is an UpstreamError. */
export async function exchangeJson(request: ExchangeRequest): Promise<unknown> {
  const attempt = new Attempt(request.context);
  try {
    // read whole without a Readable between undici and the text (whole-response.ts)
    const response = await request.http.postJsonWhole(attempt, request.url, request.headers, request.body, ERROR_BODY_LIMIT);
    if (response.status >= 300) throw httpError(response.status, response.headers, response.text, request.errorDetails);
    return parseJson(response.text);
  } catch (error) {
    throw attempt.translate(error);
  } finally {
    attempt.dispose();
  }
}

/** Sends a streaming request; resolves once the first chunk with substance arrived. */
export async function exchangeStream(request: ExchangeRequest, translate: StreamTranslator): Promise<UpstreamStream> {
  const attempt = new Attempt(request.context);
  let response: UpstreamResponse | undefined;
  try {
    response = await request.http.postJson(attempt, request.url, request.headers, request.body);
    if (response.status >= 300) throw await errorFromResponse(attempt, response, request.errorDetails);
    if (!isEventStream(response)) throw await notAStream(attempt, response, request.errorDetails);
    const meta: StreamMeta = { upstreamId: "", model: "" };
    let cut = false;
    const events = readSseBody(response.body, attempt, () => {
      cut = true;
    });
    const chunks = translate(events, meta, () => cut);
    const buffered: StreamChunk[] = [];
    let ended = false;
    for (;;) {
      const next = await chunks.next();
      if (next.done) {
        ended = true;
        break;
      }
      buffered.push(next.value);
      if (hasSubstance(next.value)) break;
    }
    attempt.markFirstChunk();
    const firstChunkAt = performance.now();
    const body = response.body;
    const state = { complete: ended };
    const close = (): void => {
      // A stream read to its end already handed its connection back to the pool: nothing to close.
      if (state.complete) return;
      if (!attempt.failed) attempt.fail(new UpstreamError("The stream was closed by the gateway", { kind: "aborted" }));
      body.destroy();
      attempt.dispose();
    };
    return {
      upstreamId: meta.upstreamId,
      model: meta.model || String((request.body as { model?: unknown }).model ?? ""),
      startedAt: attempt.startedAt,
      firstChunkAt,
      chunks: replay(buffered, ended ? undefined : chunks, attempt, close, () => (state.complete = true)),
      close,
    };
  } catch (error) {
    response?.body.destroy();
    attempt.dispose();
    throw attempt.translate(error);
  }
}

/**
 * Yields the buffered first chunks, then the rest. A consumer that stops early (break, return,
 * throw) closes the upstream connection rather than leaving it open and unread. A plain iterator
 * handing out the translator's own promises rather than an async generator re-yielding them: a
 * generator layer cost a promise, a generator resumption and microtasks per chunk
 * (bench/stream-frames-cpu.ts). A class rather than an object literal: the literal's computed
 * `[Symbol.asyncIterator]` key sent V8 to a slow runtime path on every stream (≈0.4 µs in a loop,
 * 0.36% of the gateway's main-thread CPU at 500 streams/s; perf, bench/RESULTS.md).
 */
function replay(
  buffered: StreamChunk[],
  rest: AsyncIterator<StreamChunk> | undefined,
  attempt: Attempt,
  close: () => void,
  markComplete: () => void,
): AsyncIterable<StreamChunk> {
  return new Replay(buffered, rest, attempt, close, markComplete);
}

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

class Replay implements AsyncIterableIterator<StreamChunk> {
  private position = 0;
  private over = false;

  constructor(
    private readonly buffered: StreamChunk[],
    private readonly rest: AsyncIterator<StreamChunk> | undefined,
    private readonly attempt: Attempt,
    private readonly close: () => void,
    private readonly markComplete: () => void,
  ) {}

  [Symbol.asyncIterator](): AsyncIterableIterator<StreamChunk> {
    return this;
  }

  next(): Promise<IteratorResult<StreamChunk>> {
    if (this.over) return Promise.resolve(DONE);
    const chunk = this.buffered[this.position];
    if (chunk !== undefined) {
      this.position++;
      return Promise.resolve({ done: false, value: chunk });
    }
    if (this.rest === undefined) return Promise.resolve(this.onNext(DONE));
    return this.rest.next().then(this.onNext, this.onError);
  }

  return(): Promise<IteratorResult<StreamChunk>> {
    this.end(false);
    return Promise.resolve(DONE);
  }

  private readonly onNext = (next: IteratorResult<StreamChunk>): IteratorResult<StreamChunk> => {
    if (!next.done) return next;
    this.end(true);
    return DONE;
  };

  private readonly onError = (error: unknown): never => {
    const failure = this.attempt.translate(error); // before closing: the close must not become the reason
    this.end(false);
    throw failure;
  };

  /** However the chunks end (read to the end, failed, or abandoned), the attempt ends with them. */
  private end(complete: boolean): void {
    if (this.over) return;
    this.over = true;
    if (complete) this.markComplete();
    else this.close();
    this.attempt.dispose();
  }
}

/** True when a chunk carries something a client would see (not only a role or usage). */
export function hasSubstance(chunk: StreamChunk): boolean {
  const delta = chunk.delta;
  return (
    chunk.finishReason !== null ||
    (delta.content !== undefined && delta.content !== "") ||
    (delta.reasoning !== undefined && delta.reasoning !== "") ||
    (delta.refusal !== undefined && delta.refusal !== "") ||
    (delta.tool_calls !== undefined && delta.tool_calls.length > 0)
  );
}

/**
 * Reads a body to its end (or its first `limit` characters), the attempt's clock armed while it
 * waits for each chunk: what a stream request gets instead of a stream (an error status, a JSON
 * body). A non-stream request's answer is read the same way without a Readable (whole-response.ts).
 * It listens to the body's events rather than iterating it: an async iterator costs promises and
 * stream listeners per chunk. The bytes are kept and decoded once at the end, as TextDecoder would
 * (a leading byte order mark dropped): a streaming decode per chunk was 1.6% of the gateway's CPU
 * at 500 requests/s.
 */
function readText(attempt: Attempt, response: UpstreamResponse, limit: number): Promise<string> {
  const body = response.body;
  const chunks: Buffer[] = [];
  let bytes = 0;
  let settled = false;
  return new Promise<string>((resolve, reject) => {
    // the listeners stay (an error after the end must still find one); only the first outcome counts
    const settle = (outcome: { text: string } | { error: unknown }): void => {
      if (settled) return;
      settled = true;
      attempt.disarm();
      if ("text" in outcome) resolve(outcome.text);
      else reject(attempt.translate(outcome.error));
    };
    const onData = (chunk: Buffer): void => {
      if (settled) return;
      chunks.push(chunk);
      bytes += chunk.length;
      // a character takes at least one byte: only a body of more bytes than the limit can be cut
      if (bytes > limit) {
        const text = decodeUtf8(chunks, bytes);
        if (text.length > limit) {
          settle({ text: text.slice(0, limit) });
          body.destroy();
          return;
        }
      }
      attempt.arm();
    };
    body.on("data", onData);
    body.on("end", () => settle(attempt.failed ? { error: attempt.failed } : { text: decodeUtf8(chunks, bytes) }));
    body.on("error", (error: unknown) => settle({ error }));
    // closed before its end without an error: the attempt's own failure (timeout, cancellation) says why;
    // every body closes, after its end too: the error (a stack trace captured) is built only when it counts
    body.on("close", () => {
      if (!settled) settle({ error: closedBeforeEnd(attempt) });
    });
    attempt.arm();
  });
}

/** Parses a body as JSON or fails as an invalid response. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new UpstreamError("The provider returned a body that is not valid JSON", {
      kind: "invalid_response",
      rawBody: text,
      cause: error,
    });
  }
}

async function errorFromResponse(
  attempt: Attempt,
  response: UpstreamResponse,
  errorDetails: (json: unknown) => ErrorDetails,
): Promise<UpstreamError> {
  let text = "";
  try {
    text = await readText(attempt, response, ERROR_BODY_LIMIT);
  } catch {
    // The status is what matters; a broken error body is reported as empty.
  }
  return httpError(response.status, response.headers, text, errorDetails);
}

/** The UpstreamError of an error status and its body's first ERROR_BODY_LIMIT characters. */
function httpError(status: number, headers: UpstreamResponse["headers"], text: string, errorDetails: (json: unknown) => ErrorDetails): UpstreamError {
  let details: ErrorDetails = {};
  try {
    details = errorDetails(JSON.parse(text) as unknown);
  } catch {
    details = {};
  }
  const retryAfterMs = parseRetryAfterMs(headers) ?? details.retryAfterMs;
  const message = details.message ?? `The provider answered HTTP ${status}`;
  return new UpstreamError(message, {
    kind: "http",
    status,
    rawBody: text,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    ...(details.code === undefined ? {} : { upstreamCode: details.code }),
  });
}

function isEventStream(response: UpstreamResponse): boolean {
  const type = response.headers["content-type"];
  const value = Array.isArray(type) ? type[0] : type;
  // No content type at all is tolerated (some local servers omit it); a JSON body is not a stream.
  return value === undefined || !/json/i.test(value);
}

/**
 * A 2xx JSON body where a stream was asked: some servers ignore `stream` or report errors this
 * way. An error inside it keeps its status; anything else is an invalid response.
 */
async function notAStream(attempt: Attempt, response: UpstreamResponse, errorDetails: (json: unknown) => ErrorDetails): Promise<UpstreamError> {
  const text = await readText(attempt, response, ERROR_BODY_LIMIT);
  let details: ErrorDetails = {};
  let code: unknown;
  try {
    const json = JSON.parse(text) as { error?: { code?: unknown } };
    details = json.error === undefined ? {} : errorDetails(json);
    code = json.error?.code;
  } catch {
    details = {};
  }
  if (details.message !== undefined) {
    const status = typeof code === "number" && code >= 400 && code < 600 ? code : 502;
    return new UpstreamError(details.message, { kind: "http", status, rawBody: text, ...(details.code === undefined ? {} : { upstreamCode: details.code }) });
  }
  return new UpstreamError("The provider answered a stream request with a non-stream body", { kind: "invalid_response", rawBody: text });
}

/** Parses one SSE data payload as JSON, or fails as an invalid response. */
export function parseEventJson(event: SseEvent): unknown {
  try {
    return JSON.parse(event.data) as unknown;
  } catch (error) {
    throw new UpstreamError("The provider's stream carried an event that is not valid JSON", {
      kind: "invalid_response",
      rawBody: event.data,
      cause: error,
    });
  }
}

/** The error for a stream that ended before the protocol's end marker. */
export function cutStreamError(): UpstreamError {
  return new UpstreamError("The provider's stream ended before it was complete", { kind: "reset" });
}

/**
 * Reads what follows a protocol's end marker until the body ends, in the background, so the
 * connection goes back to the keep-alive pool instead of being destroyed while the stream itself
 * ends at once: the client's last frames leave with the end marker's read instead of waiting
 * for the upstream's end of body (one socket write less per stream). The attempt's idle limit
 * still bounds the wait; errors there no longer matter.
 */
export function drainInBackground(iterator: AsyncIterator<unknown>): void {
  void (async () => {
    try {
      for (;;) if ((await iterator.next()).done) return;
    } catch {
      // The answer was complete; a broken tail only costs the pooled connection.
    }
  })();
}
