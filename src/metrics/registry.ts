/**
 * The process's Prometheus metrics, on prom-client: counters, gauges and histograms with labels,
 * gauges read on scrape (open holds, listener lag), and prom-client's process, GC and event-loop
 * metrics (main.ts turns those on). No globals: the app builds one registry and passes it to whoever records.
 *
 * Cost on the request path: recording is prom-client's `inc`/`observe` (a label hash and a map
 * update), done once per upstream attempt and once per settled generation, off the response;
 * measured against the hand-written registry it replaced: no measurable difference
 * (bench/RESULTS.md, "Metrics on prom-client").
 *
 * One exception stays outside prom-client: gauges of nano-USD amounts (`nanoUsdGauge`). prom-client
 * formats every value as a JavaScript number, so totals beyond 2^53 nano-USD (≈ $9M) would lose
 * digits and a bigint would print as +Inf; those few are rendered exactly by exposition.ts.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export type Labels = Readonly<Record<string, string>>;

/** One series of a scrape-time gauge: its labels and value. */
export interface Series<V> {
  labels: Labels;
  value: V;
}

/** A gauge of nano-USD amounts read at scrape time, rendered with every digit. */
export interface NanoUsdGauge {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  read(): Promise<Series<bigint>[]> | Series<bigint>[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export interface MetricsRegistryOptions {
  /**
   * prom-client's default metrics: process CPU, memory and file descriptors, GC, event-loop lag.
   * Off unless asked: they start GC and event-loop observers, so main.ts turns them on for the
   * process, and the many apps a test run builds do not each start their own.
   */
  processMetrics?: boolean;
}

/** Holds the process's metrics; names are unique. */
export class MetricsRegistry {
  /** The prom-client registry behind this one. */
  readonly prom = new Registry();
  readonly #nanoUsd = new Map<string, NanoUsdGauge>();
  #collectFailures = 0;

  constructor(options: MetricsRegistryOptions = {}) {
    if (options.processMetrics === true) collectDefaultMetrics({ register: this.prom });
  }

  /** A counter; `collect`, when given, runs before each read of it (a scrape). */
  counter(name: string, help: string, labelNames: readonly string[] = [], collect?: () => void): Counter {
    this.#claim(name);
    return new Counter({ name, help, labelNames, registers: [this.prom], ...(collect ? { collect } : {}) });
  }

  gauge(name: string, help: string, labelNames: readonly string[] = []): Gauge {
    this.#claim(name);
    return new Gauge({ name, help, labelNames, registers: [this.prom] });
  }

  histogram(name: string, help: string, labelNames: readonly string[], buckets: readonly number[]): Histogram {
    this.#claim(name);
    return new Histogram({ name, help, labelNames, buckets: [...buckets], registers: [this.prom] });
  }

  /**
   * Registers a gauge computed at scrape time (`read` may query the database). A `read` that
   * fails leaves the gauge without series for that scrape and is counted in
   * `farebox_metrics_collect_errors`; the rest of the scrape goes on.
   */
  gaugeCallback(name: string, help: string, labelNames: readonly string[], read: () => Promise<Series<number>[]> | Series<number>[]): Gauge {
    this.#claim(name);
    const onFailure = () => {
      this.#collectFailures += 1;
    };
    return new Gauge({
      name,
      help,
      labelNames,
      registers: [this.prom],
      async collect() {
        this.reset();
        try {
          for (const series of await read()) this.set(series.labels, series.value);
        } catch {
          // no series at all: prom-client would otherwise show an unlabelled gauge as 0
          this.reset();
          this.remove({});
          onFailure();
        }
      },
    });
  }

  /** Registers a scrape-time gauge of nano-USD amounts, rendered exactly (see the file's comment). */
  nanoUsdGauge(name: string, help: string, labelNames: readonly string[], read: () => Promise<Series<bigint>[]> | Series<bigint>[]): NanoUsdGauge {
    this.#claim(name);
    for (const label of labelNames) {
      if (!LABEL.test(label) || label.startsWith("__")) throw new Error(`invalid label name ${label} on ${name}`);
    }
    const gauge = { name, help, labelNames, read };
    this.#nanoUsd.set(name, gauge);
    return gauge;
  }

  /** The nano-USD gauges, in registration order. */
  nanoUsdGauges(): NanoUsdGauge[] {
    return [...this.#nanoUsd.values()];
  }

  /** Runs `scrape` and returns what it produced with the number of scrape-time reads that failed meanwhile. */
  async countingFailures<T>(scrape: () => Promise<T>): Promise<{ result: T; failures: number }> {
    const before = this.#collectFailures;
    const result = await scrape();
    return { result, failures: this.#collectFailures - before };
  }

  /** Refuses a malformed or taken name (prom-client checks label names and its own duplicates). */
  #claim(name: string): void {
    if (!NAME.test(name)) throw new Error(`invalid metric name ${name}`);
    if (this.#nanoUsd.has(name) || this.prom.getSingleMetric(name)) throw new Error(`metric ${name} registered twice`);
  }
}
