/**
 * Which token counts a served request is billed on, and whether it is billed at all — one rule
 * for complete answers and streams alike.
 *
 * The upstream's reported usage is used when it is usable: every count a finite non-negative
 * number (an adapter reads a count that is negative, a string or otherwise no number as NaN) and
 * some tokens reported. Otherwise — no usage, a count that is no count, or nothing at all — the
 * request is billed on an estimate from the text delivered, never for free. Absurd but
 * well-formed counts (1e15 tokens) are used as they are: the charge is capped at the reservation and
 * the rest recorded as uncollected (settlement.ts).
 */
import type { ResponseMessage, Usage } from "../providers/spec.js";
import { emptyUsage } from "../providers/spec.js";
import { tokensForChars } from "../routing/estimate-tokens.js";

/** The usage to bill, and whether it is an estimate. */
export interface BilledUsage {
  usage: Usage;
  usageEstimated: boolean;
}

/** Reported usage when usable, else an estimate from `producedChars` delivered characters. */
export function billedUsage(reported: Usage | undefined, producedChars: number, promptTokensEstimate: number): BilledUsage {
  if (reported && usable(reported)) return { usage: reported, usageEstimated: false };
  const completionTokens = tokensForChars(producedChars);
  return {
    usage: { ...emptyUsage(), promptTokens: completionTokens > 0 ? promptTokensEstimate : 0, completionTokens },
    usageEstimated: true,
  };
}

/** How a served attempt ended, as the complete answer or the stream saw it. */
export interface AnswerEnd {
  /** Characters of text delivered (content, reasoning, refusal, tool calls). */
  producedChars: number;
  /** The upstream's finish reason, normalized ("error": it says generation failed). */
  finishReason: string | null;
  /** The upstream failed after the first byte (the stream ended with an error event). */
  failed: boolean;
  /** The client went away before the answer ended. */
  cancelled: boolean;
}

/**
 * The one no-charge rule, for complete answers and streams alike: an answer that was served is
 * charged — even an empty one the upstream completed normally, whose prompt it processed. Nothing
 * delivered (no text, no completion tokens reported) and the answer did not complete — the
 * upstream failed, said `finish_reason: "error"`, or the client left first — owes nothing.
 */
export function owesNothing(end: AnswerEnd, usage: Usage): boolean {
  const nothingDelivered = end.producedChars === 0 && usage.completionTokens === 0;
  const completed = !end.failed && !end.cancelled && end.finishReason !== "error";
  return nothingDelivered && !completed;
}

/** Characters of text a complete answer delivered (content, reasoning, refusal, tool calls). */
export function messageChars(message: ResponseMessage): number {
  let chars = (message.content?.length ?? 0) + (message.reasoning?.length ?? 0) + (message.refusal?.length ?? 0);
  for (const call of message.tool_calls ?? []) chars += call.function.name.length + call.function.arguments.length;
  return chars;
}

function usable(usage: Usage): boolean {
  const counts = [usage.promptTokens, usage.completionTokens, usage.cachedPromptTokens, usage.cacheWritePromptTokens, usage.reasoningTokens];
  return counts.every((count) => Number.isFinite(count) && count >= 0) && usage.promptTokens + usage.completionTokens > 0;
}

/**
 * Which input tokens an embeddings request is billed on: the upstream's reported count when it
 * gave one above zero, else the estimate from the input (never for free).
 */
export function embeddingUsage(reportedPromptTokens: number | undefined, promptTokensEstimate: number): BilledUsage {
  const reported = reportedPromptTokens !== undefined && reportedPromptTokens > 0;
  return { usage: { ...emptyUsage(), promptTokens: reported ? reportedPromptTokens : promptTokensEstimate }, usageEstimated: !reported };
}
