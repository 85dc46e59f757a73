/**
 * Turns an open upstream stream into the client's SSE frames, chunk by chunk: content chunks as
 * they arrive, then one usage chunk with `choices: []` and the cost, then `[DONE]`. A failure
 * after the first byte becomes an error event (top-level `error`, `finish_reason: "error"`).
 * However the stream ends — completed, failed, or abandoned by the client (the consumer stops
 * iterating or the signal fires) — `end` runs exactly once with what was delivered, and answers
 * with the charge the usage chunk states (request-end.ts decides it).
 */
import { AppError, internalError } from "../domain/errors.js";
import type { CancelSignal } from "../domain/cancellation.js";
import { UpstreamError, type StreamChunk, type UpstreamStream, type Usage } from "../providers/spec.js";
import type { Charged } from "./request-end.js";
import { chunkFrameWriter, type ChunkFrameWriter } from "./stream-chunk-frame.js";
import { DONE_FRAME, errorFrame, usageFrame, type GenerationHeader } from "./wire-response.js";

/** What the stream delivered when it ends. */
export interface StreamEnd {
  /** The usage the upstream reported; undefined when it reported none. */
  reported: Usage | undefined;
  /** Characters of text delivered. */
  producedChars: number;
  finishReason: string | null;
  nativeFinishReason: string | null;
  cancelled: boolean;
  error: AppError | undefined;
}

/** Inputs of one stream. */
export interface StreamFramesInput {
  header: GenerationHeader;
  upstream: UpstreamStream;
  signal?: CancelSignal;
  /** Ends the request with what was delivered; answers with its charge. */
  end: (end: StreamEnd) => Charged;
}

/**
 * The SSE frames of one generation. A plain iterator chained on the upstream's promises rather
 * than an async generator: a generator's `for await` and `yield` cost promises, a resumption and
 * microtasks per frame on top of the upstream's own (bench/stream-frames-cpu.ts).
 */
export function streamFrames(input: StreamFramesInput): AsyncIterableIterator<string> {
  return new StreamFrames(input);
}

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

class StreamFrames implements AsyncIterableIterator<string> {
  private readonly chunks: AsyncIterator<StreamChunk>;
  private readonly chunkFrame: ChunkFrameWriter;
  private reported: Usage | undefined;
  private producedChars = 0;
  private finishReason: string | null = null;
  private nativeFinishReason: string | null = null;
  private failure: AppError | undefined;
  private charged: Charged | undefined;
  /** The frames after the last chunk (the usage chunk and `[DONE]`, or the error event), once the chunks ended. */
  private closing: string[] | undefined;

  constructor(private readonly input: StreamFramesInput) {
    this.chunks = input.upstream.chunks[Symbol.asyncIterator]();
    this.chunkFrame = chunkFrameWriter(input.header);
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<string> {
    return this;
  }

  next(): Promise<IteratorResult<string>> {
    if (this.closing) {
      const frame = this.closing.shift();
      return Promise.resolve(frame === undefined ? DONE : { done: false, value: frame });
    }
    return this.chunks.next().then(this.onChunk, this.onFailure);
  }

  /** The consumer stopped iterating (client gone) before the stream finished. */
  async return(): Promise<IteratorResult<string>> {
    this.closing ??= [];
    this.closing.length = 0;
    if (this.charged) return DONE;
    try {
      await this.chunks.return?.();
    } finally {
      this.conclude(true);
    }
    return DONE;
  }

  private readonly onChunk = (next: IteratorResult<StreamChunk>): IteratorResult<string> | Promise<IteratorResult<string>> => {
    if (next.done) return this.end();
    const chunk = next.value;
    if (chunk.usage) this.reported = chunk.usage;
    this.producedChars += deltaChars(chunk);
    if (chunk.finishReason) {
      this.finishReason = chunk.finishReason;
      this.nativeFinishReason = chunk.nativeFinishReason;
    }
    if (!hasContent(chunk)) return this.next(); // nothing to show in this chunk: the next one
    let frame: string;
    try {
      frame = this.chunkFrame(chunk);
    } catch (error) {
      return this.onFailure(error);
    }
    return { done: false, value: frame };
  };

  private readonly onFailure = (caught: unknown): Promise<IteratorResult<string>> | IteratorResult<string> => {
    if (this.input.signal?.aborted || (caught instanceof UpstreamError && caught.kind === "aborted")) {
      this.closing = [];
      this.conclude(true);
      return DONE;
    }
    this.failure = caught instanceof AppError ? caught : internalError("The stream failed.", caught);
    return this.end();
  };

  /** The chunks ended (completed or failed): the charge is decided, then the closing frames. */
  private end(): Promise<IteratorResult<string>> {
    this.closing = [];
    const { header } = this.input;
    const end = this.conclude(false);
    if (this.failure) this.closing.push(errorFrame(header, this.failure));
    else this.closing.push(usageFrame(header, end.usage, end.settlement), DONE_FRAME);
    return this.next();
  }

  private conclude(cancelled: boolean): Charged {
    if (this.charged) return this.charged;
    this.input.upstream.close();
    this.charged = this.input.end({
      reported: this.reported,
      producedChars: this.producedChars,
      finishReason: this.finishReason,
      nativeFinishReason: this.nativeFinishReason,
      cancelled,
      error: this.failure,
    });
    return this.charged;
  }
}

function hasContent(chunk: StreamChunk): boolean {
  const delta = chunk.delta;
  return (
    chunk.finishReason !== null ||
    delta.role !== undefined ||
    (delta.content ?? "") !== "" ||
    (delta.reasoning ?? "") !== "" ||
    (delta.refusal ?? "") !== "" ||
    (delta.tool_calls?.length ?? 0) > 0 ||
    (delta.reasoning_details?.length ?? 0) > 0 ||
    chunk.logprobs !== undefined
  );
}

function deltaChars(chunk: StreamChunk): number {
  const delta = chunk.delta;
  let chars = (delta.content?.length ?? 0) + (delta.reasoning?.length ?? 0) + (delta.refusal?.length ?? 0);
  for (const call of delta.tool_calls ?? []) chars += (call.function?.name?.length ?? 0) + (call.function?.arguments?.length ?? 0);
  return chars;
}
