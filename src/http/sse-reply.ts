/**
 * Writes a streamed answer as server-sent events, whatever its wire format. While the stream
 * waits for its upstream, keep-alive frames hold the connection open; once one has been sent the
 * status is committed, so a later failure is written as the format's error frame instead of an
 * error response. A client that goes away stops the writing (its Cancellation aborts upstream).
 */
import type { FastifyReply } from "fastify";
import { AppError, internalError } from "../domain/errors.js";
import type { CancelSignal } from "../domain/cancellation.js";

const SSE_HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache",
  connection: "keep-alive",
  "x-accel-buffering": "no",
};

/** What differs between the formats' streams. */
export interface SseFraming {
  /** Sent while waiting for the first chunk (a comment line, or a ping event). */
  keepAliveFrame: string;
  /** Reports a failure after the status was committed. */
  errorFrame(error: AppError): string;
}

export interface SseReply {
  /** Starts the stream; resolves once the first chunk is ready (rejecting before that is an ordinary error response). */
  start: () => Promise<AsyncIterable<string>>;
  framing: SseFraming;
  signal: CancelSignal;
  /** Extra response headers (e.g. x-generation-id). */
  headers?: Record<string, string>;
  /** How long to wait for the first chunk before sending keep-alive frames (ms). */
  keepAliveMs?: number | undefined;
}

/** Streams `options.start()`'s frames to the client; resolves when the stream has ended. */
export async function sendSse(reply: FastifyReply, options: SseReply): Promise<FastifyReply> {
  const raw = reply.raw;
  const { signal, framing } = options;
  let committed = false;
  const commit = () => {
    if (committed) return;
    committed = true;
    reply.hijack();
    // Object.assign rather than `{ ...SSE_HEADERS, ...options.headers }`: the same object, key order
    // included, but a second spread into a literal takes V8's slow runtime path (≈1.1 µs against
    // 0.1 µs in a loop; 0.3% of the gateway's main-thread CPU at 500 streams/s; perf, bench/RESULTS.md)
    raw.writeHead(200, Object.assign({}, SSE_HEADERS, options.headers));
  };
  const keepAlive = setInterval(() => {
    if (signal.aborted || raw.destroyed) return;
    commit();
    raw.write(framing.keepAliveFrame);
  }, options.keepAliveMs ?? 1_000);
  let frames: AsyncIterable<string>;
  try {
    frames = await options.start();
  } catch (error) {
    clearInterval(keepAlive);
    if (!committed) throw error;
    raw.end(framing.errorFrame(error instanceof AppError ? error : internalError("The request failed.", error)));
    return reply;
  }
  clearInterval(keepAlive);
  commit();
  // Frames made in one turn of the event loop (an upstream read often carries many) leave in one
  // socket write: the socket is corked at the turn's first frame and uncorked once the turn's
  // work is done (process.nextTick), so no frame waits for a later one. A write per frame cost a
  // syscall each, the largest CPU item of a stream (bench/RESULTS.md).
  let corked = false;
  const uncork = () => {
    corked = false;
    raw.uncork();
  };
  try {
    for await (const frame of frames) {
      if (signal.aborted) break;
      if (!corked) {
        corked = true;
        raw.cork();
        process.nextTick(uncork);
      }
      if (!raw.write(frame)) await drained(raw, signal);
    }
  } finally {
    if (!raw.writableEnded) raw.end();
  }
  return reply;
}

function drained(raw: FastifyReply["raw"], signal: CancelSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      raw.off("drain", done);
      signal.removeEventListener("abort", done);
      resolve();
    };
    raw.on("drain", done);
    signal.addEventListener("abort", done);
  });
}
