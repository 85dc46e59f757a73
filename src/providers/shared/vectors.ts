/** Reading embedding vectors out of an upstream's JSON, whatever the protocol's envelope. */
import { UpstreamError } from "../spec.js";

/**
 * The vectors of an embeddings answer: one array of finite numbers per input, as many as were
 * asked for; anything else is an invalid response (the router may fall back).
 */
export function readVectors(values: readonly unknown[], expected: number): number[][] {
  if (values.length !== expected) {
    throw new UpstreamError(`The upstream returned ${values.length} embeddings for ${expected} inputs.`, { kind: "invalid_response" });
  }
  return values.map((value, index) => {
    if (!Array.isArray(value) || value.length === 0 || !value.every((n) => typeof n === "number" && Number.isFinite(n))) {
      throw new UpstreamError(`Embedding ${index} of the upstream's answer is not a list of numbers.`, { kind: "invalid_response" });
    }
    return value as number[];
  });
}

/** A reported input-token count, or undefined when absent or not a count (the gateway then estimates). */
export function reportedTokens(value: unknown): number | undefined {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}
