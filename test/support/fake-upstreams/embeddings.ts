/**
 * What the fake upstreams embed: a deterministic vector per input (from a hash of it), so a test
 * can compute the vector it must get back. Every component is a multiple of 1/128 in [-1, 1),
 * exact in float32, so base64 float32 answers decode to the very same numbers.
 */
import { createHash } from "node:crypto";

/** Vector length when the request names no `dimensions`. */
export const FAKE_EMBEDDING_DIMENSIONS = 8;

/** The fake's vector for one input (a text or token ids). */
export function fakeVector(input: string | readonly number[], dimensions = FAKE_EMBEDDING_DIMENSIONS): number[] {
  const vector: number[] = [];
  for (let block = 0; vector.length < dimensions; block++) {
    const digest = createHash("sha256").update(`${block}:${JSON.stringify(input)}`).digest();
    for (const byte of digest) {
      if (vector.length === dimensions) break;
      vector.push((byte - 128) / 128);
    }
  }
  return vector;
}

/** Input tokens the fake reports for its inputs: a token per 4 characters (rounded up), or the token ids' count. */
export function fakeEmbeddingTokens(inputs: readonly (string | readonly number[])[]): number {
  return inputs.reduce((sum, input) => sum + (typeof input === "string" ? Math.ceil(input.length / 4) : input.length), 0);
}
