/**
 * The shape every protocol's stream translator shares: SSE events in, normalized chunks out, one
 * event at a time. A plain iterator chained on the events' promises rather than an async
 * generator: a generator's await and yield cost promises, a resumption and microtasks per chunk
 * (bench/stream-frames-cpu.ts). A protocol supplies what one event means and what the end of the
 * events means; this class keeps the order, the end and the failures.
 */
import type { StreamChunk } from "../spec.js";
import { drainInBackground } from "./exchange.js";
import type { SseEvent } from "./sse-parser.js";

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

export abstract class StreamTranslation implements AsyncIterableIterator<StreamChunk> {
  /** A second chunk the last event produced, handed out before the next event is read. */
  private held: StreamChunk | undefined;
  /** Nothing more to read: the end marker or the end of the events came, or the translation failed or was returned. */
  private over = false;

  constructor(private readonly events: AsyncIterator<SseEvent>) {}

  [Symbol.asyncIterator](): AsyncIterableIterator<StreamChunk> {
    return this;
  }

  next(): Promise<IteratorResult<StreamChunk>> {
    const held = this.held;
    if (held !== undefined) {
      this.held = undefined;
      return Promise.resolve({ done: false, value: held });
    }
    if (this.over) return Promise.resolve(DONE);
    return this.events.next().then(this.onEvent, this.onFailure);
  }

  return(): Promise<IteratorResult<StreamChunk>> {
    this.over = true;
    this.held = undefined;
    return Promise.resolve(DONE);
  }

  /** The chunk one event translates to, or undefined when it carries nothing to forward; throws UpstreamError on an error event. */
  protected abstract translate(event: SseEvent): StreamChunk | undefined;

  /** The events ended without an end marker: the last chunk (usage) if any; throws when that means the stream was cut. */
  protected abstract ended(): StreamChunk | undefined;

  /**
   * The protocol's end marker came: no further event is translated, and what follows it is read
   * in the background so the connection goes back to the pool (see drainInBackground).
   */
  protected stopAtMarker(): void {
    this.over = true;
    drainInBackground(this.events);
  }

  /** Hands `chunk` out after the one `translate` returns, before the next event is read. */
  protected hold(chunk: StreamChunk): void {
    this.held = chunk;
  }

  private readonly onEvent = (next: IteratorResult<SseEvent>): IteratorResult<StreamChunk> | Promise<IteratorResult<StreamChunk>> => {
    try {
      if (next.done) {
        this.over = true;
        const last = this.ended();
        return last === undefined ? DONE : { done: false, value: last };
      }
      const chunk = this.translate(next.value);
      if (chunk !== undefined) return { done: false, value: chunk };
      return this.over ? DONE : this.next();
    } catch (error) {
      return this.onFailure(error);
    }
  };

  private readonly onFailure = (error: unknown): never => {
    this.over = true;
    this.held = undefined;
    throw error;
  };
}
