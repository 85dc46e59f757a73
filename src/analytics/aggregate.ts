import { appOrigin, appTitle, isPublicApp, modelAuthor } from "./app-identity.js";
import { LATENCY_BOUNDS_MS, THROUGHPUT_BOUNDS_TPS, emptyHistogram, slotOf } from "./histogram.js";
import type { SettledGeneration } from "../domain/settled-generation.js";

/** Dimensions of the usage rollup; "total" has the value "". */
export type UsageDimension = "total" | "model" | "provider" | "app" | "endpoint";

/** What one usage rollup row counts. */
export interface UsageCounts {
  requests: number;
  errors: number;
  byokRequests: number;
  promptTokens: number;
  completionTokens: number;
  reasoningTokens: number;
  cachedTokens: number;
  creditUsageNano: bigint;
  feeNano: bigint;
  byokUpstreamNano: bigint;
  latencyHist: number[];
  ttftHist: number[];
}

/** Counts of nothing yet: the start of every rollup row and of every activity group. */
export function emptyUsageCounts(): UsageCounts {
  return {
    requests: 0,
    errors: 0,
    byokRequests: 0,
    promptTokens: 0,
    completionTokens: 0,
    reasoningTokens: 0,
    cachedTokens: 0,
    creditUsageNano: 0n,
    feeNano: 0n,
    byokUpstreamNano: 0n,
    latencyHist: emptyHistogram(LATENCY_BOUNDS_MS),
    ttftHist: emptyHistogram(LATENCY_BOUNDS_MS),
  };
}

/** One usage rollup row's increments. */
export interface UsageIncrement extends UsageCounts {
  accountId: string;
  day: string;
  dimension: UsageDimension;
  apiKeyId: string;
  value: string;
}

/** One public per-model row's increments. */
export interface ModelIncrement {
  day: string;
  model: string;
  author: string;
  requests: number;
  promptTokens: number;
  completionTokens: number;
  latencyHist: number[];
  throughputHist: number[];
}

/** One public per-app row's increments. */
export interface AppIncrement {
  day: string;
  app: string;
  title: string;
  requests: number;
  tokens: number;
}

/** Increments for every rollup table, keyed so that many generations fold into few rows. */
export interface RollupBatch {
  usage: Map<string, UsageIncrement>;
  models: Map<string, ModelIncrement>;
  apps: Map<string, AppIncrement>;
}

/** UTC calendar day of an instant, "YYYY-MM-DD". */
export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

export function emptyBatch(): RollupBatch {
  return { usage: new Map(), models: new Map(), apps: new Map() };
}

/** Generation throughput in tokens per second, or null when it cannot be measured. */
export function throughputOf(gen: SettledGeneration): number | null {
  const ms = gen.generationTimeMs ?? (gen.ttftMs != null ? gen.latencyMs - gen.ttftMs : gen.latencyMs);
  if (!gen.ok || gen.completionTokens <= 0 || !(ms > 0)) return null;
  return gen.completionTokens / (ms / 1000);
}

/** Folds one settled generation into the batch (pure; the store writes the batch). */
export function accumulate(batch: RollupBatch, gen: SettledGeneration): void {
  const day = utcDay(gen.createdAt);
  const app = appOrigin(gen.appReferer);
  const dimensions: [UsageDimension, string][] = [
    ["total", ""],
    ["model", gen.model],
    ["provider", gen.provider],
    ["app", app],
    // one model at one provider: OpenRouter's /activity rows
    ["endpoint", endpointValue(gen.model, gen.provider)],
  ];
  for (const [dimension, value] of dimensions) addUsage(batch, gen, day, dimension, value);
  accumulatePublic(batch, gen, day, app);
}

function addUsage(batch: RollupBatch, gen: SettledGeneration, day: string, dimension: UsageDimension, value: string): void {
  const usageKey = JSON.stringify([gen.accountId, dimension, day, gen.apiKeyId, value]);
  let usage = batch.usage.get(usageKey);
  if (!usage) {
    usage = {
      accountId: gen.accountId,
      dimension,
      day,
      apiKeyId: gen.apiKeyId,
      value,
      ...emptyUsageCounts(),
    };
    batch.usage.set(usageKey, usage);
  }
  usage.requests += 1;
  if (!gen.ok) usage.errors += 1;
  if (gen.isByok) usage.byokRequests += 1;
  usage.promptTokens += gen.promptTokens;
  usage.completionTokens += gen.completionTokens;
  usage.reasoningTokens += gen.reasoningTokens;
  usage.cachedTokens += gen.cachedTokens;
  usage.creditUsageNano += gen.creditUsageNano;
  usage.feeNano += gen.feeNano;
  usage.byokUpstreamNano += gen.byokUpstreamNano;
  if (gen.ok) {
    const slot = slotOf(LATENCY_BOUNDS_MS, gen.latencyMs);
    usage.latencyHist[slot] = (usage.latencyHist[slot] ?? 0) + 1;
    if (gen.ttftMs != null) {
      const ttftSlot = slotOf(LATENCY_BOUNDS_MS, gen.ttftMs);
      usage.ttftHist[ttftSlot] = (usage.ttftHist[ttftSlot] ?? 0) + 1;
    }
  }
}

function accumulatePublic(batch: RollupBatch, gen: SettledGeneration, day: string, app: string): void {
  const modelKey = JSON.stringify([day, gen.model]);
  let model = batch.models.get(modelKey);
  if (!model) {
    model = {
      day,
      model: gen.model,
      author: modelAuthor(gen.model),
      requests: 0,
      promptTokens: 0,
      completionTokens: 0,
      latencyHist: emptyHistogram(LATENCY_BOUNDS_MS),
      throughputHist: emptyHistogram(THROUGHPUT_BOUNDS_TPS),
    };
    batch.models.set(modelKey, model);
  }
  model.requests += 1;
  model.promptTokens += gen.promptTokens;
  model.completionTokens += gen.completionTokens;
  if (gen.ok) {
    const slot = slotOf(LATENCY_BOUNDS_MS, gen.latencyMs);
    model.latencyHist[slot] = (model.latencyHist[slot] ?? 0) + 1;
    const tps = throughputOf(gen);
    if (tps !== null) {
      const tpsSlot = slotOf(THROUGHPUT_BOUNDS_TPS, tps);
      model.throughputHist[tpsSlot] = (model.throughputHist[tpsSlot] ?? 0) + 1;
    }
  }
  if (!isPublicApp(app)) return;
  const appKey = JSON.stringify([day, app]);
  let entry = batch.apps.get(appKey);
  if (!entry) {
    entry = { day, app, title: "", requests: 0, tokens: 0 };
    batch.apps.set(appKey, entry);
  }
  const title = appTitle(gen.appTitle);
  if (title) entry.title = title;
  entry.requests += 1;
  entry.tokens += gen.promptTokens + gen.completionTokens;
}

/** The rollup value of the "endpoint" dimension: model and provider slug, split again by `endpointOf`. */
export function endpointValue(model: string, provider: string): string {
  return `${model}@${provider}`;
}

/** Model and provider of an "endpoint" value (model ids never contain "@"; provider slugs may not either). */
export function endpointOf(value: string): { model: string; provider: string } {
  const at = value.lastIndexOf("@");
  return at < 0 ? { model: value, provider: "" } : { model: value.slice(0, at), provider: value.slice(at + 1) };
}
