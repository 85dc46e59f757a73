/**
 * GET /models and /models/count query filters (OpenRouter's names): supported_parameters,
 * input_modalities, output_modalities, model_authors, q, context, offset/limit; and farebox's
 * `all=true`: models no request can be served by yet (no price or no key) too. farebox's
 * catalog has no use-case categories, so `category` is refused with a 400 rather than ignored.
 */
import { z } from "zod";
import { isUsable } from "../../catalog/live-catalog.js";
import type { Model } from "../../catalog/types.js";
import { badRequest } from "../../domain/errors.js";
import { storableText } from "../../domain/storable-text.js";
import { outputModalities } from "./model-wire.js";

const commaList = storableText()
  .max(1000)
  .transform((text) => text.split(",").map((part) => part.trim()).filter((part) => part.length > 0));

/** The query of /models, /models/count and /models/user. */
export const modelQuery = z.object({
  supported_parameters: commaList.optional(),
  input_modalities: commaList.optional(),
  output_modalities: commaList.optional(),
  model_authors: commaList.optional(),
  q: storableText().max(200).optional(),
  context: z.coerce.number().int().min(1).optional(),
  category: storableText().max(100).optional(),
  offset: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  all: z.enum(["true", "false"]).optional(),
});

export type ModelQuery = z.infer<typeof modelQuery>;

/** The query the route's schema parsed, with what farebox cannot filter by refused: 400 naming the parameter. */
export function checkModelQuery(parsed: ModelQuery): ModelQuery {
  if (parsed.category !== undefined) {
    throw badRequest("This farebox catalog has no use-case categories: filter by supported_parameters, input_modalities or q instead.", {
      param: "category",
    });
  }
  return parsed;
}

/** Whether `model` passes every filter the query names. */
export function matchesModelQuery(model: Model, query: ModelQuery): boolean {
  if (query.all !== "true" && !isUsable(model)) return false;
  const outputs = query.output_modalities ?? ["text"];
  // chat models answer in text, embedding models in embeddings: /models lists chat models unless asked otherwise
  const produces = outputModalities(model);
  if (!outputs.includes("all") && !outputs.some((modality) => produces.includes(modality))) return false;
  if (query.supported_parameters?.some((parameter) => !model.supportedParameters.includes(parameter))) return false;
  if (query.input_modalities?.some((modality) => !(model.inputModalities as string[]).includes(modality))) return false;
  if (query.model_authors && !query.model_authors.includes(model.id.split("/")[0] ?? "")) return false;
  if (query.context !== undefined && model.contextLength < query.context) return false;
  if (query.q !== undefined) {
    const needle = query.q.toLowerCase();
    if (!model.id.toLowerCase().includes(needle) && !model.name.toLowerCase().includes(needle)) return false;
  }
  return true;
}

/** The page the query asks for: the whole list when neither offset nor limit is given (OpenRouter's rule). */
export function pageOf<T>(items: T[], query: Pick<ModelQuery, "offset" | "limit">): T[] {
  if (query.offset === undefined && query.limit === undefined) return items;
  const offset = query.offset ?? 0;
  return items.slice(offset, offset + (query.limit ?? 500));
}
