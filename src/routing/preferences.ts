/**
 * Validates OpenRouter's `provider` request object into ProviderPreferences. `max_price` is USD
 * per million tokens (request and image: USD per unit) and becomes exact nano-USD integers.
 * Unknown keys are ignored, as OpenRouter ignores preferences it does not apply.
 */
import { z } from "zod";
import { badRequest } from "../domain/errors.js";
import { usdPerMillionToNanoPerMillion, usdToNano } from "../domain/money.js";
import type { ProviderPreferences, SortBy } from "./types.js";

const price = z.union([z.string(), z.number()]);
const sortBy = z.enum(["price", "throughput", "latency"]);

const wireSchema = z.object({
  order: z.array(z.string()).optional(),
  allow_fallbacks: z.boolean().nullish(),
  only: z.array(z.string()).optional(),
  ignore: z.array(z.string()).optional(),
  sort: z.union([sortBy, z.object({ by: sortBy })]).nullish(),
  max_price: z
    .object({ prompt: price.optional(), completion: price.optional(), request: price.optional(), image: price.optional() })
    .optional(),
  require_parameters: z.boolean().nullish(),
  data_collection: z.enum(["allow", "deny"]).nullish(),
});

/** Defaults when the request has no `provider` object. */
export const DEFAULT_PREFERENCES: ProviderPreferences = Object.freeze({
  allowFallbacks: true,
  requireParameters: false,
  dataCollection: "allow",
});

/** Parses the wire object; bad shapes answer 400 naming the field. */
export function parseProviderPreferences(wire: unknown): ProviderPreferences {
  if (wire === undefined || wire === null) return DEFAULT_PREFERENCES;
  const parsed = wireSchema.safeParse(wire);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = ["provider", ...(issue?.path ?? [])].join(".");
    throw badRequest(`Invalid ${path}: ${issue?.message ?? "invalid value"}`, { param: path });
  }
  const value = parsed.data;
  const sort: SortBy | undefined = typeof value.sort === "string" ? value.sort : (value.sort?.by ?? undefined);
  const preferences: ProviderPreferences = {
    allowFallbacks: value.allow_fallbacks ?? true,
    requireParameters: value.require_parameters ?? false,
    dataCollection: value.data_collection ?? "allow",
  };
  if (value.order) preferences.order = value.order;
  if (value.only) preferences.only = value.only;
  if (value.ignore) preferences.ignore = value.ignore;
  if (sort) preferences.sort = sort;
  if (value.max_price) {
    const maxPrice: NonNullable<ProviderPreferences["maxPrice"]> = {};
    const read = (key: string, raw: string | number | undefined, perUnit: boolean): bigint | undefined => {
      if (raw === undefined) return undefined;
      try {
        return perUnit ? usdToNano(raw) : usdPerMillionToNanoPerMillion(raw);
      } catch {
        throw badRequest(`Invalid provider.max_price.${key}: expected a USD amount`, { param: `provider.max_price.${key}` });
      }
    };
    const prompt = read("prompt", value.max_price.prompt, false);
    const completion = read("completion", value.max_price.completion, false);
    const request = read("request", value.max_price.request, true);
    const image = read("image", value.max_price.image, true);
    if (prompt !== undefined) maxPrice.promptNanoPerMillion = prompt;
    if (completion !== undefined) maxPrice.completionNanoPerMillion = completion;
    if (request !== undefined) maxPrice.requestNano = request;
    if (image !== undefined) maxPrice.imageNano = image;
    preferences.maxPrice = maxPrice;
  }
  return preferences;
}

/** True when the provider slug `slug` (or its display name) matches the user's entry. */
export function providerMatches(entry: string, slug: string, displayName: string): boolean {
  const wanted = entry.trim().toLowerCase();
  const lowerSlug = slug.toLowerCase();
  return wanted === lowerSlug || lowerSlug.startsWith(`${wanted}/`) || wanted === displayName.toLowerCase();
}
