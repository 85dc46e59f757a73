/**
 * The inbound embeddings request: OpenAI's /embeddings body with OpenRouter's extensions
 * (`models`, `provider`, `input_type`), as OpenRouter's spec states it
 * (shared/reference/openrouter-openapi.yaml, `POST /embeddings`). Text and token-id input only;
 * malformed fields answer 400 naming the field.
 */
import { z } from "zod";
import { badRequest } from "../../domain/errors.js";
import { storableText } from "../../domain/storable-text.js";
import type { EmbeddingsInput } from "../../gateway/ports.js";

/** At most this many inputs per request (OpenAI's own limit). */
export const MAX_EMBEDDING_INPUTS = 2048;

const tokenIds = z.array(z.number().int().min(0)).min(1);

/** What `input` may be: a text, texts, one token-id array, or token-id arrays. */
export const embeddingsInputSchema = z.union([
  z.string().min(1),
  z.array(z.string().min(1)).min(1).max(MAX_EMBEDDING_INPUTS),
  tokenIds,
  z.array(tokenIds).min(1).max(MAX_EMBEDDING_INPUTS),
]);

/** The request body. Unknown fields are ignored, as OpenRouter ignores what it does not apply. */
export const embeddingsRequestSchema = z.object({
  // what is kept on the generation record must be text the database can store (no NUL, no lone surrogate)
  model: storableText().min(1).optional(),
  models: z.array(storableText().min(1)).min(1).optional(),
  input: z.unknown(),
  dimensions: z.number().int().min(1).max(65_536).optional(),
  encoding_format: z.enum(["float", "base64"]).optional(),
  input_type: storableText().min(1).max(64).optional(),
  user: storableText().max(512).optional(),
  provider: z.unknown().optional(),
});

/** How the vectors go back: JSON numbers, or base64 of little-endian float32. */
export type EncodingFormat = "float" | "base64";

/** Validates the JSON body into the use case's input and the answer's encoding; 400 naming the field otherwise. */
export function parseEmbeddingsRequest(body: unknown): { input: EmbeddingsInput; encodingFormat: EncodingFormat } {
  if (body === null || typeof body !== "object" || Array.isArray(body)) throw badRequest("The request body must be a JSON object.");
  const parsed = embeddingsRequestSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = (issue?.path ?? []).join(".");
    throw badRequest(`Invalid ${path || "request"}: ${issue?.message ?? "invalid value"}`, { param: path });
  }
  const wire = parsed.data;
  if (wire.model === undefined && wire.models === undefined) throw badRequest("A model is required: set `model` (or `models`).", { param: "model" });
  const input: EmbeddingsInput = { input: parseInput(wire.input) };
  if (wire.model !== undefined) input.model = wire.model;
  if (wire.models !== undefined) input.models = wire.models;
  if (wire.dimensions !== undefined) input.dimensions = wire.dimensions;
  if (wire.input_type !== undefined) input.inputType = wire.input_type;
  if (wire.user !== undefined) input.user = wire.user;
  if (wire.provider !== undefined) input.provider = wire.provider;
  return { input, encodingFormat: wire.encoding_format ?? "float" };
}

/** `input` as a list: one text or token-id array per vector wanted. */
function parseInput(value: unknown): string[] | number[][] {
  if (value === undefined || value === null) throw badRequest("Invalid input: `input` is required (a string, an array of strings, or token ids).", { param: "input" });
  if (Array.isArray(value) && value.some((entry) => typeof entry === "object" && entry !== null && !Array.isArray(entry))) {
    throw badRequest("Invalid input: farebox embeds text and token ids; multimodal input objects are not supported.", { param: "input" });
  }
  const parsed = embeddingsInputSchema.safeParse(value);
  if (!parsed.success) {
    const tooMany = Array.isArray(value) && value.length > MAX_EMBEDDING_INPUTS;
    throw badRequest(
      tooMany
        ? `Invalid input: at most ${MAX_EMBEDDING_INPUTS} inputs per request.`
        : "Invalid input: must be a non-empty string, an array of non-empty strings, an array of token ids (non-negative integers), or an array of such arrays.",
      { param: "input" },
    );
  }
  const input = parsed.data;
  if (typeof input === "string") return [input];
  if (input.every((entry) => typeof entry === "number")) return [input as number[]];
  return input as string[] | number[][];
}
