/**
 * Turns an open upstream stream into the client's SSE frames, chunk by chunk: content chunks as
 * they arrive, then one usage chunk with `choices: []` and the cost, then `[DONE]`. A failure
 * after the first byte becomes an error event (top-level `error`, `finish_reason: "error"`).
 * However the stream ends — completed, failed, or abandoned by the client (the consumer stops
 * iterating or the signal fires) — `conclude` runs exactly once with what was produced: the
 * upstream's reported usage, or, if it never came or is unusable, an estimate from the text
 * delivered (billed-usage.ts).
 */
import { AppError, internalError } from "../domain/errors.js";
import type { CancelSignal } from "../domain/cancellation.js";
import { UpstreamError, type StreamChunk, type UpstreamStream, type Usage } from "../providers/spec.js";
import type { Attempt } from "../routing/types.js";
import { billedUsage, owesNothing } from "./billed-usage.js";
import type { Prepared } from "./prepare.js";
import { NO_CHARGE, settleAttempt, type Settlement } from "./settlement.js";
import { chunkFrame, DONE_FRAME, errorFrame, usageFrame, type GenerationHeader } from "./wire-response.js";

/** What the stream reports when it ends. */
export interface StreamEnd {
  usage: Usage;
  usageEstimated: boolean;
  settlement: Settlement;
  finishReason: string | null;
  nativeFinishReason: string | null;
  cancelled: boolean;
  error: AppError | undefined;
}

/** Inputs of one stream. */
export interface StreamFramesInput {
  header: GenerationHeader;
  upstream: UpstreamStream;
  prepared: Prepared;
  attempt: Attempt;
  feeBps: number;
  signal?: CancelSignal;
  conclude: (end: StreamEnd) => void;
}

/** The SSE frames of one generation. */
export async function* streamFrames(input: StreamFramesInput): AsyncGenerator<string, void, undefined> {
  const { header, upstream } = input;
  let reported: Usage | undefined;
  let producedChars = 0;
  let finishReason: string | null = null;
  let nativeFinishReason: string | null = null;
  let failure: AppError | undefined;
  let concluded: StreamEnd | undefined;
  let loopEnded = false;

  const conclude = (cancelled: boolean): StreamEnd => {
    if (concluded) return concluded;
    upstream.close();
    const { usage, usageEstimated } = billedUsage(reported, producedChars, input.prepared.input.routing.promptTokensEstimate);
    const settlement = owesNothing(producedChars, usage, failure !== undefined || cancelled)
      ? NO_CHARGE
      : settleAttempt(input.attempt, usage, input.prepared.images, input.feeBps, input.prepared.quote.holdNano);
    concluded = { usage, usageEstimated, settlement, finishReason, nativeFinishReason, cancelled, error: failure };
    input.conclude(concluded);
    return concluded;
  };

  try {
    for await (const chunk of upstream.chunks) {
      if (chunk.usage) reported = chunk.usage;
      producedChars += deltaChars(chunk);
      if (chunk.finishReason) {
        finishReason = chunk.finishReason;
        nativeFinishReason = chunk.nativeFinishReason;
      }
      if (hasContent(chunk)) yield chunkFrame(header, chunk);
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
    if (!concluded && !loopEnded) conclude(true);
  }
  const end = conclude(false);
  if (end.error) {
    yield errorFrame(header, end.error);
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
