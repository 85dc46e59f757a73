/**
 * `GET {base}/models` on an OpenAI-compatible server. The plain OpenAI shape
 * (`{data: [{id, created, owned_by}]}`) carries only ids; Groq adds `context_window`, Together
 * answers a bare array with `context_length`; an OpenRouter-compatible server (OpenRouter itself,
 * another farebox) adds name, context, output limit, modalities, supported parameters and its
 * prices, which are adopted as that upstream's prices.
 * https://platform.openai.com/docs/api-reference/models/list,
 * https://openrouter.ai/docs/api-reference/list-available-models
 */
import { z } from "zod";
import { joinUrl } from "../shared/json.js";
import { getJson, type ListedModel, type ModelLister } from "../shared/model-list.js";

const usdPerToken = z.string().regex(/^\d+(\.\d+)?$/);

const entrySchema = z.object({
  id: z.string().min(1),
  name: z.string().optional(),
  display_name: z.string().optional(),
  description: z.string().optional(),
  created: z.number().int().nonnegative().optional(),
  context_length: z.number().int().positive().nullish(),
  context_window: z.number().int().positive().nullish(),
  max_completion_tokens: z.number().int().positive().nullish(),
  type: z.string().optional(),
  architecture: z.object({ input_modalities: z.array(z.string()).optional(), output_modalities: z.array(z.string()).optional() }).partial().nullish(),
  top_provider: z.object({ max_completion_tokens: z.number().int().positive().nullish(), context_length: z.number().int().positive().nullish() }).partial().nullish(),
  supported_parameters: z.array(z.string()).optional(),
  pricing: z.unknown().optional(),
});

const openRouterPricing = z.object({
  prompt: usdPerToken,
  completion: usdPerToken,
  input_cache_read: usdPerToken.optional(),
  input_cache_write: usdPerToken.optional(),
});

const listSchema = z.union([z.object({ data: z.array(z.unknown()) }).transform((list) => list.data), z.array(z.unknown())]);

/** Lists an OpenAI-compatible server's chat models. */
export const listOpenAICompatibleModels: ModelLister = async (target, fetch, signal) => {
  const headers: Record<string, string> = { ...target.headers, ...(target.apiKey ? { authorization: `Bearer ${target.apiKey}` } : {}) };
  const entries = listSchema.parse(await getJson(fetch, joinUrl(target.baseUrl, "models"), headers, signal));
  const out: ListedModel[] = [];
  for (const raw of entries) {
    const parsed = entrySchema.safeParse(raw);
    if (!parsed.success) continue;
    const entry = parsed.data;
    // Together lists embedding, image and audio models beside chat ones; OpenRouter lists image outputs
    if (entry.type !== undefined && entry.type !== "chat" && entry.type !== "language" && entry.type !== "model") continue;
    if (entry.architecture?.output_modalities && !entry.architecture.output_modalities.includes("text")) continue;
    const pricing = openRouterPricing.safeParse(entry.pricing);
    const context = entry.context_length ?? entry.context_window ?? entry.top_provider?.context_length;
    const maxOutput = entry.top_provider?.max_completion_tokens ?? entry.max_completion_tokens;
    out.push({
      id: entry.id,
      ...(entry.name ?? entry.display_name ? { name: entry.name ?? entry.display_name } : {}),
      ...(entry.description ? { description: entry.description } : {}),
      ...(entry.created ? { created: entry.created } : {}),
      ...(context ? { contextLength: context } : {}),
      ...(maxOutput ? { maxCompletionTokens: maxOutput } : {}),
      ...(entry.architecture?.input_modalities ? { inputModalities: entry.architecture.input_modalities } : {}),
      ...(entry.supported_parameters ? { supportedParameters: entry.supported_parameters } : {}),
      ...(pricing.success ? { pricing: pricing.data } : {}),
    });
  }
  return out;
};
