/**
 * In-memory endpoint health, fed by the gateway after every attempt: rolling success rate,
 * time-to-first-token and throughput percentiles over 5 minute / 30 minute / 1 day windows,
 * and the time of the last failure (the planner demotes endpoints that failed in the last 30 s).
 * Samples live in one-minute buckets, each keeping at most `samplesPerBucket` of its latest
 * measurements for 30 minutes (counts are kept for a day), so memory stays bounded at any
 * request rate. Rate-limited attempts count as a
 * failure for routing but are left out of uptime, as OpenRouter does.
 */
import type { HealthView } from "./types.js";

const MINUTE_MS = 60_000;
const DAY_MINUTES = 24 * 60;
const SAMPLE_MINUTES = 30;
export const WINDOW_5M_MS = 5 * MINUTE_MS;
export const WINDOW_30M_MS = 30 * MINUTE_MS;
export const WINDOW_1D_MS = DAY_MINUTES * MINUTE_MS;

/** What one attempt did. */
export interface AttemptOutcome {
  atMs: number;
  ok: boolean;
  rateLimited?: boolean;
  ttftMs?: number;
  /** Output tokens per second after the first token. */
  tokensPerSecond?: number;
}

/** p50/p75/p90/p99 of a measurement. */
export interface Percentiles {
  p50: number;
  p75: number;
  p90: number;
  p99: number;
}

/** Health as /endpoints shows it; uptime in percent, null without data. */
export interface HealthSnapshot {
  uptime5m: number | null;
  uptime30m: number | null;
  uptime1d: number | null;
  latency30m: Percentiles | null;
  throughput30m: Percentiles | null;
}

interface Bucket {
  minute: number;
  ok: number;
  errors: number;
  ttft: number[];
  throughput: number[];
  ttftNext: number;
  throughputNext: number;
}

interface EndpointHealth {
  buckets: Map<number, Bucket>;
  lastFailureAtMs: number | undefined;
}

/** Rolling per-endpoint statistics; also the planner's HealthView. */
export class HealthTracker implements HealthView {
  private readonly endpoints = new Map<string, EndpointHealth>();
  private readonly samplesPerBucket: number;

  constructor(options: { samplesPerBucket?: number } = {}) {
    this.samplesPerBucket = options.samplesPerBucket ?? 256;
  }

  /** Records one attempt's outcome. */
  record(endpointId: string, outcome: AttemptOutcome): void {
    const health = this.endpointHealth(endpointId);
    if (!outcome.ok) health.lastFailureAtMs = Math.max(health.lastFailureAtMs ?? 0, outcome.atMs);
    const bucket = this.bucket(health, Math.floor(outcome.atMs / MINUTE_MS));
    if (!outcome.rateLimited) {
      if (outcome.ok) bucket.ok += 1;
      else bucket.errors += 1;
    }
    if (outcome.ttftMs !== undefined && Number.isFinite(outcome.ttftMs)) {
      bucket.ttftNext = push(bucket.ttft, bucket.ttftNext, outcome.ttftMs, this.samplesPerBucket);
    }
    if (outcome.tokensPerSecond !== undefined && Number.isFinite(outcome.tokensPerSecond)) {
      bucket.throughputNext = push(bucket.throughput, bucket.throughputNext, outcome.tokensPerSecond, this.samplesPerBucket);
    }
  }

  lastFailureAtMs(endpointId: string): number | undefined {
    return this.endpoints.get(endpointId)?.lastFailureAtMs;
  }

  ttftP50Ms(endpointId: string, nowMs: number): number | undefined {
    return percentile(this.samples(endpointId, nowMs, WINDOW_5M_MS, "ttft"), 0.5);
  }

  throughputP50(endpointId: string, nowMs: number): number | undefined {
    return percentile(this.samples(endpointId, nowMs, WINDOW_5M_MS, "throughput"), 0.5);
  }

  ttftPercentileMs(endpointId: string, nowMs: number, fraction: number): number | undefined {
    return percentile(this.samples(endpointId, nowMs, WINDOW_5M_MS, "ttft"), fraction);
  }

  throughputPercentile(endpointId: string, nowMs: number, fraction: number): number | undefined {
    return percentile(this.samples(endpointId, nowMs, WINDOW_5M_MS, "throughput"), fraction);
  }

  /** Success rate in percent over the window, null without data. */
  uptime(endpointId: string, nowMs: number, windowMs: number): number | null {
    let ok = 0;
    let errors = 0;
    for (const bucket of this.bucketsIn(endpointId, nowMs, windowMs)) {
      ok += bucket.ok;
      errors += bucket.errors;
    }
    return ok + errors === 0 ? null : (ok / (ok + errors)) * 100;
  }

  /** Everything /endpoints shows for one endpoint. */
  snapshot(endpointId: string, nowMs: number): HealthSnapshot {
    return {
      uptime5m: this.uptime(endpointId, nowMs, WINDOW_5M_MS),
      uptime30m: this.uptime(endpointId, nowMs, WINDOW_30M_MS),
      uptime1d: this.uptime(endpointId, nowMs, WINDOW_1D_MS),
      latency30m: percentiles(this.samples(endpointId, nowMs, WINDOW_30M_MS, "ttft")),
      throughput30m: percentiles(this.samples(endpointId, nowMs, WINDOW_30M_MS, "throughput")),
    };
  }

  private samples(endpointId: string, nowMs: number, windowMs: number, kind: "ttft" | "throughput"): number[] {
    return this.bucketsIn(endpointId, nowMs, windowMs).flatMap((bucket) => bucket[kind]);
  }

  private bucketsIn(endpointId: string, nowMs: number, windowMs: number): Bucket[] {
    const health = this.endpoints.get(endpointId);
    if (!health) return [];
    const newest = Math.floor(nowMs / MINUTE_MS);
    const oldest = newest - Math.ceil(windowMs / MINUTE_MS) + 1;
    const out: Bucket[] = [];
    for (const bucket of health.buckets.values()) {
      if (bucket.minute >= oldest && bucket.minute <= newest) out.push(bucket);
    }
    return out;
  }

  private endpointHealth(endpointId: string): EndpointHealth {
    let health = this.endpoints.get(endpointId);
    if (!health) {
      health = { buckets: new Map(), lastFailureAtMs: undefined };
      this.endpoints.set(endpointId, health);
    }
    return health;
  }

  private bucket(health: EndpointHealth, minute: number): Bucket {
    let bucket = health.buckets.get(minute);
    if (!bucket) {
      bucket = { minute, ok: 0, errors: 0, ttft: [], throughput: [], ttftNext: 0, throughputNext: 0 };
      health.buckets.set(minute, bucket);
      for (const [old, stale] of health.buckets) {
        if (old <= minute - DAY_MINUTES) health.buckets.delete(old);
        else if (old <= minute - SAMPLE_MINUTES && stale.ttft.length + stale.throughput.length > 0) {
          // Percentiles are shown over 30 minutes at most; older buckets keep only their counts.
          stale.ttft = [];
          stale.throughput = [];
        }
      }
    }
    return bucket;
  }
}

function push(samples: number[], next: number, value: number, cap: number): number {
  if (samples.length < cap) samples.push(value);
  else samples[next % cap] = value;
  return next + 1;
}

/** Nearest-rank percentile of unsorted samples; undefined when empty. */
export function percentile(samples: readonly number[], fraction: number): number | undefined {
  if (samples.length === 0) return undefined;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[rank];
}

function percentiles(samples: readonly number[]): Percentiles | null {
  if (samples.length === 0) return null;
  return {
    p50: percentile(samples, 0.5) ?? 0,
    p75: percentile(samples, 0.75) ?? 0,
    p90: percentile(samples, 0.9) ?? 0,
    p99: percentile(samples, 0.99) ?? 0,
  };
}
