/**
 * Reads an upstream response body as SSE events, one at a time, the attempt's clock armed only
 * while the consumer waits for the upstream (a slow consumer never counts as a stall). It listens
 * to the body's events instead of stacking async generators over its async iterator: per upstream
 * read that stack (the body's iterator, a timing generator, a parsing generator) cost several
 * promises, generator resumptions and microtasks, the largest JavaScript item of a stream
 * (bench/stream-frames-cpu.ts). The body is paused while parsed events wait unread, so no more
 * than one read's events are ever held.
 */
import type { Readable } from "node:stream";
import type { Attempt } from "./attempt.js";
import { SseParser, type SseEvent } from "./sse-parser.js";
import { Utf8StreamDecoder } from "./utf8.js";

/**
 * The events of `body`, in order. `onPartialEnd` is called if the bytes end in the middle of an
 * event (a cut stream), before the end is reported. Failures surface as the attempt's error.
 */
export function readSseBody(body: Readable, attempt: Attempt, onPartialEnd?: () => void): AsyncIterableIterator<SseEvent> {
  return new SseBodyReader(body, attempt, onPartialEnd);
}

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/** What failed a body that closed before its end without an error: the attempt's own failure (timeout, cancellation), else the early close. */
export function closedBeforeEnd(attempt: Attempt): unknown {
  return attempt.failed ?? new Error("The provider's response body was closed before its end");
}

class SseBodyReader implements AsyncIterableIterator<SseEvent> {
  private readonly decoder = new Utf8StreamDecoder();
  private readonly parser = new SseParser();
  private queue: SseEvent[] = [];
  private nextIndex = 0;
  /** The body ended (all bytes parsed) or the consumer returned. */
  private ended = false;
  private failure: unknown;
  private failed = false;
  private waiter: { resolve: (result: IteratorResult<SseEvent>) => void; reject: (error: unknown) => void } | undefined;

  constructor(
    private readonly body: Readable,
    private readonly attempt: Attempt,
    private readonly onPartialEnd: (() => void) | undefined,
  ) {
    // the listeners stay (an error after the end must still find one); only the first outcome counts
    body.on("data", this.onData);
    body.on("end", this.onEnd);
    body.on("error", this.onError);
    // closed before its end without an error: the attempt's own failure (timeout, cancellation) says why
    body.on("close", this.onClose);
    body.pause();
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<SseEvent> {
    return this;
  }

  next(): Promise<IteratorResult<SseEvent>> {
    const ready = this.take();
    if (ready !== undefined) return ready;
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
      this.attempt.arm();
      this.body.resume();
    });
  }

  /** The consumer stopped early: the rest of the body is not wanted. */
  return(): Promise<IteratorResult<SseEvent>> {
    if (!this.ended && !this.failed) {
      this.ended = true;
      this.attempt.disarm();
      this.body.destroy();
    }
    this.queue = [];
    this.nextIndex = 0;
    return Promise.resolve(DONE);
  }

  /** What the consumer can have without waiting: a parsed event, the end, or the failure. */
  private take(): Promise<IteratorResult<SseEvent>> | undefined {
    const event = this.queue[this.nextIndex];
    if (event !== undefined) {
      this.nextIndex++;
      return Promise.resolve({ done: false, value: event });
    }
    if (this.failed) return Promise.reject(this.attempt.translate(this.failure));
    if (this.ended) return Promise.resolve(DONE);
    return undefined;
  }

  /** Hands what arrived to a waiting consumer; pauses the body while events wait unread. */
  private settle(): void {
    const waiter = this.waiter;
    if (waiter === undefined) {
      if (this.nextIndex < this.queue.length) this.body.pause();
      return;
    }
    const event = this.queue[this.nextIndex];
    if (event !== undefined) {
      this.nextIndex++;
      this.waiter = undefined;
      waiter.resolve({ done: false, value: event });
    } else if (this.failed) {
      this.waiter = undefined;
      waiter.reject(this.attempt.translate(this.failure));
    } else if (this.ended) {
      this.waiter = undefined;
      waiter.resolve(DONE);
    } else {
      return; // this read completed no event: keep waiting (the clock was re-armed)
    }
    if (this.nextIndex < this.queue.length) this.body.pause();
  }

  private readonly onData = (bytes: Uint8Array): void => {
    if (this.ended || this.failed) return;
    this.attempt.disarm();
    if (this.attempt.failed) {
      this.fail(this.attempt.failed);
      return;
    }
    this.enqueue(this.parser.push(this.decoder.decode(bytes)));
    if (this.waiter !== undefined && this.nextIndex >= this.queue.length) this.attempt.arm();
    this.settle();
  };

  private readonly onEnd = (): void => {
    if (this.ended || this.failed) return;
    this.attempt.disarm();
    if (this.attempt.failed) {
      this.fail(this.attempt.failed);
      return;
    }
    this.enqueue(this.parser.push(this.decoder.end()));
    if (this.parser.hasPartialEvent) this.onPartialEnd?.();
    this.ended = true;
    this.settle();
  };

  private readonly onError = (error: unknown): void => {
    this.fail(error);
  };

  private readonly onClose = (): void => {
    // every body closes, most after their end: the error (a stack trace to capture) only for one that did not
    if (this.ended || this.failed) return;
    this.fail(closedBeforeEnd(this.attempt));
  };

  private fail(error: unknown): void {
    if (this.ended || this.failed) return;
    this.attempt.disarm();
    this.failed = true;
    this.failure = error;
    this.settle();
  }

  private enqueue(events: SseEvent[]): void {
    if (events.length === 0) return;
    if (this.nextIndex >= this.queue.length) {
      this.queue = events;
      this.nextIndex = 0;
    } else {
      for (const event of events) this.queue.push(event);
    }
  }
}
