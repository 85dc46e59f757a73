/**
 * Validates OpenRouter's `provider` request object into ProviderPreferences. `max_price` is USD
 * per million tokens (request and image: USD per unit) and becomes exact nano-USD integers.
 * Unknown keys are ignored, as OpenRouter ignores preferences it does not apply; a known value
 * farebox has no data for (`sort: "exacto"`, `zdr: true`) answers 400 naming the field rather
 * than being silently dropped; so do `enforce_distillable_text: true` (no model licence terms
 * recorded) and `max_price.audio` (no audio prices recorded: audio input is priced as prompt tokens).
 */
import { z } from "zod";
import { badRequest } from "../domain/errors.js";
import { usdPerMillionToNanoPerMillion, usdToNano } from "../domain/money.js";
import type { PercentileThreshold, ProviderPreferences, SortBy } from "./types.js";

const price = z.union([z.string(), z.number()]);
const sortBy = z.enum(["price", "throughput", "latency", "exacto"]);
const QUANTIZATIONS = ["int4", "int8", "fp4", "mxfp4", "nvfp4", "fp6", "fp8", "mxfp8", "fp16", "bf16", "fp32", "unknown"] as const;
const threshold = z.union([
  z.number().nonnegative(),
  z
    .object({ p50: z.number().nonnegative().nullish(), p75: z.number().nonnegative().nullish(), p90: z.number().nonnegative().nullish(), p99: z.number().nonnegative().nullish() })
    .strict(),
]);

const wireSchema = z.object({
  order: z.array(z.string()).optional(),
  allow_fallbacks: z.boolean().nullish(),
  only: z.array(z.string()).optional(),
  ignore: z.array(z.string()).optional(),
  sort: z.union([sortBy, z.object({ by: sortBy.nullish(), partition: z.enum(["model", "none"]).nullish() })]).nullish(),
  quantizations: z.array(z.enum(QUANTIZATIONS)).nullish(),
  zdr: z.boolean().nullish(),
  enforce_distillable_text: z.boolean().nullish(),
  preferred_min_throughput: threshold.nullish(),
  preferred_max_latency: threshold.nullish(),
  max_price: z
    .object({ prompt: price.optional(), completion: price.optional(), request: price.optional(), image: price.optional(), audio: price.nullish() })
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
  const by = typeof value.sort === "string" ? value.sort : (value.sort?.by ?? undefined);
  if (by === "exacto") {
    throw badRequest("provider.sort \"exacto\" is not available on farebox: it has no tool-calling quality data to sort by. Use price, throughput or latency.", {
      param: "provider.sort",
    });
  }
  if (value.zdr === true) {
    throw badRequest("provider.zdr is not available on farebox: the catalog records no zero-data-retention terms. Use provider.data_collection: \"deny\" to skip providers that store or train on prompts.", {
      param: "provider.zdr",
    });
  }
  if (value.enforce_distillable_text === true) {
    throw badRequest("provider.enforce_distillable_text is not available on farebox: the catalog records no model licence terms on distilling outputs, so it cannot keep to models that allow it.", {
      param: "provider.enforce_distillable_text",
    });
  }
  if (value.max_price?.audio !== undefined && value.max_price.audio !== null) {
    throw badRequest("provider.max_price.audio is not available on farebox: the catalog records no separate audio prices (audio input is priced as prompt tokens). Cap provider.max_price.prompt instead.", {
      param: "provider.max_price.audio",
    });
  }
  const sort: SortBy | undefined = by ?? undefined;
  const preferences: ProviderPreferences = {
    allowFallbacks: value.allow_fallbacks ?? true,
    requireParameters: value.require_parameters ?? false,
    dataCollection: value.data_collection ?? "allow",
  };
  if (value.order) preferences.order = value.order;
  if (value.only) preferences.only = value.only;
  if (value.ignore) preferences.ignore = value.ignore;
  if (sort) preferences.sort = sort;
  if (typeof value.sort === "object" && value.sort?.partition) preferences.partition = value.sort.partition;
  if (value.quantizations && value.quantizations.length > 0) preferences.quantizations = value.quantizations;
  const minThroughput = thresholds(value.preferred_min_throughput, 1);
  if (minThroughput) preferences.preferredMinThroughput = minThroughput;
  // OpenRouter states latency in seconds; health measures milliseconds
  const maxLatency = thresholds(value.preferred_max_latency, 1000);
  if (maxLatency) preferences.preferredMaxLatency = maxLatency;
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

function thresholds(wire: z.infer<typeof threshold> | null | undefined, scale: number): PercentileThreshold[] | undefined {
  if (wire === undefined || wire === null) return undefined;
  if (typeof wire === "number") return [{ percentile: "p50", value: wire * scale }];
  const out: PercentileThreshold[] = [];
  for (const percentile of ["p50", "p75", "p90", "p99"] as const) {
    const value = wire[percentile];
    if (value !== undefined && value !== null) out.push({ percentile, value: value * scale });
  }
  return out.length > 0 ? out : undefined;
}

/** True when the provider slug `slug` (or its display name) matches the user's entry. */
export function providerMatches(entry: string, slug: string, displayName: string): boolean {
  const wanted = entry.trim().toLowerCase();
  const lowerSlug = slug.toLowerCase();
  return wanted === lowerSlug || lowerSlug.startsWith(`${wanted}/`) || wanted === displayName.toLowerCase();
}
