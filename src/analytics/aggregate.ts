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

/**
 * Increments for every rollup table, in the order their rows first appeared: many generations
 * fold into few rows. `find` locates a row again by the strings that identify it, through nested
 * maps, so counting a generation builds no key: five JSON.stringify keys and a tuple array per
 * generation were 3.3 KB of the ≈87 KB a request allocated (heap sampling at 500 requests/s).
 */
export interface RollupBatch {
  usage: UsageIncrement[];
  models: ModelIncrement[];
  apps: AppIncrement[];
  find: RowIndex;
}

/** Usage rows of one account, key and day, by dimension; an endpoint's by model, then provider. */
interface UsageGroup {
  total: UsageIncrement | undefined;
  model: Map<string, UsageIncrement>;
  provider: Map<string, UsageIncrement>;
  app: Map<string, UsageIncrement>;
  endpoint: Map<string, Map<string, UsageIncrement>>;
}

interface RowIndex {
  /** account → key → day → rows */
  usage: Map<string, Map<string, Map<string, UsageGroup>>>;
  /** day → model → row */
  models: Map<string, Map<string, ModelIncrement>>;
  /** day → app → row */
  apps: Map<string, Map<string, AppIncrement>>;
}

let cachedDay = { startMs: 0, endMs: 0, day: "" };
const DAY_MS = 86_400_000;

/** UTC calendar day of an instant, "YYYY-MM-DD" (the last one is kept: every request of a day asks for it). */
export function utcDay(at: Date): string {
  const ms = at.getTime();
  if (ms >= cachedDay.startMs && ms < cachedDay.endMs) return cachedDay.day;
  const day = at.toISOString().slice(0, 10);
  const startMs = Math.floor(ms / DAY_MS) * DAY_MS;
  cachedDay = { startMs, endMs: startMs + DAY_MS, day };
  return day;
}

export function emptyBatch(): RollupBatch {
  return { usage: [], models: [], apps: [], find: { usage: new Map(), models: new Map(), apps: new Map() } };
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
  const group = usageGroup(batch.find, gen, day);
  group.total ??= newUsage(batch, gen, day, "total", "");
  addUsage(group.total, gen);
  addUsage(usageRow(batch, group.model, gen, day, "model", gen.model), gen);
  addUsage(usageRow(batch, group.provider, gen, day, "provider", gen.provider), gen);
  addUsage(usageRow(batch, group.app, gen, day, "app", app), gen);
  // one model at one provider: OpenRouter's /activity rows
  addUsage(usageRow(batch, innerMap(group.endpoint, gen.model), gen, day, "endpoint", gen.provider), gen);
  accumulatePublic(batch, gen, day, app);
}

function innerMap<K, V>(outer: Map<string, Map<K, V>>, key: string): Map<K, V> {
  let inner = outer.get(key);
  if (!inner) {
    inner = new Map();
    outer.set(key, inner);
  }
  return inner;
}

function usageGroup(find: RowIndex, gen: SettledGeneration, day: string): UsageGroup {
  const days = innerMap(innerMap(find.usage, gen.accountId), gen.apiKeyId);
  let group = days.get(day);
  if (!group) {
    group = { total: undefined, model: new Map(), provider: new Map(), app: new Map(), endpoint: new Map() };
    days.set(day, group);
  }
  return group;
}

/** The row of `dimension` whose map key is `key` (an endpoint's rows are keyed by provider within their model). */
function usageRow(batch: RollupBatch, rows: Map<string, UsageIncrement>, gen: SettledGeneration, day: string, dimension: UsageDimension, key: string): UsageIncrement {
  let usage = rows.get(key);
  if (!usage) {
    usage = newUsage(batch, gen, day, dimension, dimension === "endpoint" ? endpointValue(gen.model, gen.provider) : key);
    rows.set(key, usage);
  }
  return usage;
}

function newUsage(batch: RollupBatch, gen: SettledGeneration, day: string, dimension: UsageDimension, value: string): UsageIncrement {
  const usage: UsageIncrement = { accountId: gen.accountId, dimension, day, apiKeyId: gen.apiKeyId, value, ...emptyUsageCounts() };
  batch.usage.push(usage);
  return usage;
}

function addUsage(usage: UsageIncrement, gen: SettledGeneration): void {
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
  const models = innerMap(batch.find.models, day);
  let model = models.get(gen.model);
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
    models.set(gen.model, model);
    batch.models.push(model);
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
  const apps = innerMap(batch.find.apps, day);
  let entry = apps.get(app);
  if (!entry) {
    entry = { day, app, title: "", requests: 0, tokens: 0 };
    apps.set(app, entry);
    batch.apps.push(entry);
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
