import type { SettledGeneration } from "../domain/settled-generation.js";
import type { Counter, Histogram } from "prom-client";
import { DeferredCounter } from "./deferred-counter.js";
import { LabelSets } from "./label-sets.js";
import type { MetricsRegistry, Series } from "./registry.js";

/** Bucket bounds (seconds) for request latency and time to first token. */
const SECONDS_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60, 120];

/** Open holds: how many and how much they reserve. */
export interface HoldsSnapshot {
  count: number;
  amountNano: bigint;
}

/** Where a chain listener stands: head seen, cursor processed, last successful poll. */
export interface ChainListenerSnapshot {
  chain: string;
  headBlock: bigint;
  cursorBlock: bigint;
  lastSuccessAt: Date | null;
}

/**
 * Read at scrape time by GET /metrics; each is optional so a process that runs no listener
 * (or no ledger yet) simply exposes fewer series.
 */
export interface MetricSources {
  openHolds?: () => Promise<HoldsSnapshot>;
  /** Ledger sums per entry kind (deposit, usage, fee, refund, adjustment), nano-USD. */
  ledgerTotals?: () => Promise<{ kind: string; amountNano: bigint }[]>;
  chainListeners?: () => Promise<ChainListenerSnapshot[]> | ChainListenerSnapshot[];
  /** Generations whose usage priced beyond their hold: how many, and the amount not charged. */
  uncollected?: () => Promise<{ count: number; amountNano: bigint }>;
  /** Credited deposits reversed because their transaction left the chain, per chain (never decreases). */
  depositsReversed?: () => Promise<{ chain: string; count: number }[]>;
}

/** Upstream attempt outcomes as counted (one per provider call, fallbacks included). */
export type AttemptOutcome =
  | "ok"
  | "rate_limited"
  | "server_error"
  | "timeout"
  | "connection_error"
  | "invalid_response"
  | "rejected_key"
  | "client_error"
  | "aborted";

/** The gateway's metrics, recorded from settled generations and upstream attempts. */
export class FareboxMetrics {
  /** Counted per settled generation, so summed until read (deferred-counter.ts). */
  readonly requests: DeferredCounter;
  readonly errors: DeferredCounter;
  readonly tokens: DeferredCounter;
  readonly attempts: Counter;
  readonly latency: Histogram;
  readonly ttft: Histogram;
  readonly #byStatus = new LabelSets(["model", "provider", "status"]);
  readonly #byClass = new LabelSets(["model", "class"]);
  readonly #byProvider = new LabelSets(["model", "provider"]);

  constructor(registry: MetricsRegistry, sources: MetricSources = {}) {
    this.requests = new DeferredCounter((collect) =>
      registry.counter("farebox_requests_total", "Completed chat requests by model, provider and HTTP status.", ["model", "provider", "status"], collect),
    );
    this.errors = new DeferredCounter((collect) =>
      registry.counter("farebox_request_errors_total", "Chat requests that ended in an error, by model, provider and HTTP status.", ["model", "provider", "status"], collect),
    );
    this.tokens = new DeferredCounter((collect) =>
      registry.counter("farebox_tokens_total", "Tokens processed by model and class (prompt, completion).", ["model", "class"], collect),
    );
    this.attempts = registry.counter("farebox_upstream_attempts_total", "Upstream provider calls by provider and outcome, fallbacks included.", ["provider", "outcome"]);
    this.latency = registry.histogram("farebox_request_duration_seconds", "Total request time of successful requests.", ["model", "provider"], SECONDS_BUCKETS);
    this.ttft = registry.histogram("farebox_time_to_first_token_seconds", "Time to first token of successful requests.", ["model", "provider"], SECONDS_BUCKETS);

    const { openHolds, ledgerTotals, chainListeners, uncollected, depositsReversed } = sources;
    if (depositsReversed) {
      registry.gaugeCallback(
        "farebox_deposits_reversed_total",
        "Credited deposits taken back because their transaction left the canonical chain (a reorg deeper than the credit depth), per chain.",
        ["chain"],
        async () => (await depositsReversed()).map((r) => ({ labels: { chain: r.chain }, value: r.count })),
      );
    }
    if (openHolds) {
      registry.gaugeCallback("farebox_open_holds", "Holds placed and not yet settled, voided or expired.", [], async () => [
        { labels: {}, value: (await openHolds()).count },
      ]);
      registry.nanoUsdGauge("farebox_open_holds_nano_usd", "Credit reserved by open holds, nano-USD.", [], async () => [
        { labels: {}, value: (await openHolds()).amountNano },
      ]);
    }
    if (ledgerTotals) {
      registry.nanoUsdGauge("farebox_ledger_entries_nano_usd", "Sum of ledger entries by kind, nano-USD.", ["kind"], async () =>
        (await ledgerTotals()).map((t): Series<bigint> => ({ labels: { kind: t.kind }, value: t.amountNano })),
      );
    }
    if (uncollected) {
      registry.nanoUsdGauge("farebox_uncollected_nano_usd", "What served generations priced beyond their holds and could not be charged, nano-USD.", [], async () => [
        { labels: {}, value: (await uncollected()).amountNano },
      ]);
      registry.gaugeCallback("farebox_uncollected_generations", "Served generations charged less than their usage priced (capped at their hold).", [], async () => [
        { labels: {}, value: (await uncollected()).count },
      ]);
    }
    if (chainListeners) {
      registry.gaugeCallback("farebox_chain_listener_lag_blocks", "Chain head minus the listener's cursor, in blocks or slots.", ["chain"], async () =>
        (await chainListeners()).map((l) => ({ labels: { chain: l.chain }, value: l.headBlock > l.cursorBlock ? Number(l.headBlock - l.cursorBlock) : 0 })),
      );
      registry.gaugeCallback(
        "farebox_chain_listener_last_success_timestamp_seconds",
        "Unix time of the listener's last successful poll.",
        ["chain"],
        async () =>
          (await chainListeners())
            .filter((l) => l.lastSuccessAt !== null)
            .map((l) => ({ labels: { chain: l.chain }, value: Math.floor((l.lastSuccessAt?.getTime() ?? 0) / 1000) })),
      );
    }
  }

  /** Counts one settled generation (the gateway's "generation settled" hook). */
  recordGeneration(gen: SettledGeneration): void {
    const labels = this.#byStatus.of(gen.model, gen.provider, String(gen.status));
    this.requests.inc(labels);
    if (!gen.ok) {
      this.errors.inc(labels);
      return;
    }
    this.tokens.inc(this.#byClass.of(gen.model, "prompt"), gen.promptTokens);
    this.tokens.inc(this.#byClass.of(gen.model, "completion"), gen.completionTokens);
    const byProvider = this.#byProvider.of(gen.model, gen.provider);
    this.latency.observe(byProvider, gen.latencyMs / 1000);
    if (gen.ttftMs != null) this.ttft.observe(byProvider, gen.ttftMs / 1000);
  }

  /** Counts one upstream attempt. */
  recordAttempt(provider: string, outcome: AttemptOutcome): void {
    this.attempts.inc({ provider, outcome });
  }
}
