/**
 * The published data.json of the price database (the same provider list the npm package
 * bundles), validated before it may replace the prices farebox bills with: only the fields the
 * catalog reads are checked; anything malformed rejects the whole update.
 */
import { z } from "zod";
import type { DatabaseProvider, MatchLogic } from "./price-database.js";

const matchLogic: z.ZodType<MatchLogic> = z.lazy(() =>
  z.union([
    z.object({ or: z.array(matchLogic) }),
    z.object({ and: z.array(matchLogic) }),
    z.object({ equals: z.string() }),
    z.object({ starts_with: z.string() }),
    z.object({ ends_with: z.string() }),
    z.object({ contains: z.string() }),
    z.object({ regex: z.string() }),
  ]),
);

const price = z.union([
  z.number().nonnegative(),
  z.object({ base: z.number().nonnegative(), tiers: z.array(z.object({ start: z.number().int().nonnegative(), price: z.number().nonnegative() })) }),
]);
const modelPrice = z.record(z.string(), price.optional());
const constraint = z.union([
  z.object({ type: z.literal("start_date"), start_date: z.string() }),
  z.object({ type: z.literal("time_of_date"), start_time: z.string(), end_time: z.string() }),
]);

const model = z.object({
  id: z.string().min(1),
  name: z.string().optional(),
  description: z.string().optional(),
  context_window: z.number().int().positive().optional(),
  deprecated: z.boolean().optional(),
  match: matchLogic,
  prices: z.union([modelPrice, z.array(z.object({ constraint: constraint.optional(), prices: modelPrice })).min(1)]),
});

const provider = z.object({
  id: z.string().min(1),
  name: z.string(),
  api_pattern: z.string(),
  pricing_urls: z.array(z.string()).optional(),
  model_match: matchLogic.optional(),
  models: z.array(model),
});

/** Parses the published data; throws a ZodError describing the first problems when it does not fit. */
export function parsePriceData(json: unknown): DatabaseProvider[] {
  return z.array(provider).parse(json) as DatabaseProvider[];
}
