/**
 * The embeddings answer in OpenAI's shape with OpenRouter's usage (`cost`, `is_byok`,
 * `cost_details`): vectors as JSON numbers, or, for `encoding_format: "base64"`, the base64 of
 * their little-endian float32 bytes (what OpenAI sends and its SDKs decode). Money leaves as USD
 * numbers formatted from exact nano-USD integers.
 */
import { z } from "zod";
import { nanoToUsdNumber } from "../../domain/money.js";
import type { EmbeddingsResult } from "../../gateway/ports.js";
import type { EncodingFormat } from "./request.js";

/** The response body's shape. */
export const embeddingsResponseSchema = z.object({
  id: z.string(),
  object: z.literal("list"),
  model: z.string(),
  data: z.array(z.object({ object: z.literal("embedding"), index: z.number().int(), embedding: z.union([z.array(z.number()), z.string()]) })),
  usage: z.object({
    prompt_tokens: z.number().int(),
    total_tokens: z.number().int(),
    cost: z.number(),
    is_byok: z.boolean(),
    cost_details: z.object({
      upstream_inference_cost: z.number().nullable(),
      upstream_inference_prompt_cost: z.number(),
      upstream_inference_completions_cost: z.number(),
    }),
  }),
});

export type EmbeddingsResponse = z.infer<typeof embeddingsResponseSchema>;

/** The response body for `result`, vectors encoded as asked. */
export function embeddingsResponse(result: EmbeddingsResult, encoding: EncodingFormat): EmbeddingsResponse {
  const upstream = nanoToUsdNumber(result.upstreamNano);
  return {
    id: result.id,
    object: "list",
    model: result.model,
    data: result.vectors.map((vector, index) => ({ object: "embedding", index, embedding: encoding === "base64" ? float32Base64(vector) : vector })),
    usage: {
      prompt_tokens: result.promptTokens,
      total_tokens: result.promptTokens,
      cost: nanoToUsdNumber(result.chargedNano),
      is_byok: result.isByok,
      cost_details: { upstream_inference_cost: upstream, upstream_inference_prompt_cost: upstream, upstream_inference_completions_cost: 0 },
    },
  };
}

/** A vector as base64 of its little-endian float32 bytes (whatever the machine's byte order). */
export function float32Base64(vector: readonly number[]): string {
  const bytes = new DataView(new ArrayBuffer(vector.length * 4));
  vector.forEach((value, index) => bytes.setFloat32(index * 4, value, true));
  return Buffer.from(bytes.buffer).toString("base64");
}
