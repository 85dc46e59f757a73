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
import { chunkFrameWriter } from "./stream-chunk-frame.js";
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

/** The SSE frames of one generation. */
export async function* streamFrames(input: StreamFramesInput): AsyncGenerator<string, void, undefined> {
  const { header, upstream } = input;
  const chunkFrame = chunkFrameWriter(header);
  let reported: Usage | undefined;
  let producedChars = 0;
  let finishReason: string | null = null;
  let nativeFinishReason: string | null = null;
  let failure: AppError | undefined;
  let charged: Charged | undefined;
  let loopEnded = false;

  const conclude = (cancelled: boolean): Charged => {
    if (charged) return charged;
    upstream.close();
    charged = input.end({ reported, producedChars, finishReason, nativeFinishReason, cancelled, error: failure });
    return charged;
  };

  try {
    for await (const chunk of upstream.chunks) {
      if (chunk.usage) reported = chunk.usage;
      producedChars += deltaChars(chunk);
      if (chunk.finishReason) {
        finishReason = chunk.finishReason;
        nativeFinishReason = chunk.nativeFinishReason;
      }
      if (hasContent(chunk)) yield chunkFrame(chunk);
    }
    loopEnded = true;
  } catch (caught) {
    loopEnded = true;
    if (input.signal?.aborted || (caught instanceof UpstreamError && caught.kind === "aborted")) {
      conclude(true);
      return;
    }
    failure = caught instanceof AppError ? caught : internalError("The stream failed.", caught);
  } finally {
    // The consumer stopped iterating (client gone) before the stream finished.
    if (!charged && !loopEnded) conclude(true);
  }
  const end = conclude(false);
  if (failure) {
    yield errorFrame(header, failure);
    return;
  }
  yield usageFrame(header, end.usage, end.settlement);
  yield DONE_FRAME;
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
