/**
 * `GET {base}/models` on the Gemini API (paginated with `pageToken`): the models that support
 * `generateContent`, with their input and output token limits.
 * https://ai.google.dev/api/models#method:-models.list
 */
import { z } from "zod";
import { joinUrl } from "../shared/json.js";
import { getJson, type ListedModel, type ModelLister } from "../shared/model-list.js";

const pageSchema = z.object({
  models: z
    .array(
      z.object({
        name: z.string().min(1),
        displayName: z.string().optional(),
        description: z.string().optional(),
        inputTokenLimit: z.number().int().positive().optional(),
        outputTokenLimit: z.number().int().positive().optional(),
        supportedGenerationMethods: z.array(z.string()).optional(),
      }),
    )
    .default([]),
  nextPageToken: z.string().optional(),
});

const MAX_PAGES = 20;

/** Lists Gemini's chat models. */
export const listGeminiModels: ModelLister = async (target, fetch, signal) => {
  const base = /\/v1(beta\d*|alpha)?\/?$/.test(target.baseUrl) ? target.baseUrl : joinUrl(target.baseUrl, "v1beta");
  const headers = { ...target.headers, ...(target.apiKey ? { "x-goog-api-key": target.apiKey } : {}) };
  const out: ListedModel[] = [];
  let token: string | undefined;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const url = `${joinUrl(base, "models")}?pageSize=1000${token ? `&pageToken=${encodeURIComponent(token)}` : ""}`;
    const body = pageSchema.parse(await getJson(fetch, url, headers, signal));
    for (const model of body.models) {
      if (model.supportedGenerationMethods && !model.supportedGenerationMethods.includes("generateContent")) continue;
      out.push({
        id: model.name.replace(/^models\//, ""),
        ...(model.displayName ? { name: model.displayName } : {}),
        ...(model.description ? { description: model.description } : {}),
        ...(model.inputTokenLimit ? { contextLength: model.inputTokenLimit } : {}),
        ...(model.outputTokenLimit ? { maxCompletionTokens: model.outputTokenLimit } : {}),
      });
    }
    if (!body.nextPageToken) break;
    token = body.nextPageToken;
  }
  return out;
};
