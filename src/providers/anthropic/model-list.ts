/**
 * `GET {base}/v1/models` on Anthropic's API (paginated with `after_id` while `has_more`): ids and
 * display names. https://docs.anthropic.com/en/api/models-list
 */
import { z } from "zod";
import { joinUrl } from "../shared/json.js";
import { getJson, type ListedModel, type ModelLister } from "../shared/model-list.js";
import { ANTHROPIC_VERSION } from "./adapter.js";

const pageSchema = z.object({
  data: z.array(z.object({ id: z.string().min(1), display_name: z.string().optional(), created_at: z.string().optional() })),
  has_more: z.boolean().optional(),
  last_id: z.string().nullish(),
});

const MAX_PAGES = 20;

/** Lists Anthropic's models. */
export const listAnthropicModels: ModelLister = async (target, fetch, signal) => {
  const base = /\/v1\/?$/.test(target.baseUrl) ? joinUrl(target.baseUrl, "models") : joinUrl(target.baseUrl, "v1/models");
  const headers = { ...target.headers, "anthropic-version": ANTHROPIC_VERSION, ...(target.apiKey ? { "x-api-key": target.apiKey } : {}) };
  const out: ListedModel[] = [];
  let after: string | undefined;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const url = `${base}?limit=1000${after ? `&after_id=${encodeURIComponent(after)}` : ""}`;
    const body = pageSchema.parse(await getJson(fetch, url, headers, signal));
    for (const model of body.data) {
      const created = model.created_at ? Math.floor(Date.parse(model.created_at) / 1000) : undefined;
      out.push({ id: model.id, ...(model.display_name ? { name: model.display_name } : {}), ...(created ? { created } : {}) });
    }
    if (!body.has_more || !body.last_id) break;
    after = body.last_id;
  }
  return out;
};
