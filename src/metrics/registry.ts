/**
 * A small Prometheus registry: counters, gauges and histograms with labels, plus gauges read
 * on scrape (open holds, ledger totals, listener lag). No timers, no globals: the app builds
 * one registry and passes it to whoever records. Rendering: see exposition.ts.
 */

export type Labels = Readonly<Record<string, string>>;
export type SampleValue = number | bigint;

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Key of one label combination, in the metric's declared label order. */
function seriesKey(labelNames: readonly string[], labels: Labels): string {
  return JSON.stringify(labelNames.map((name) => labels[name] ?? ""));
}

function checkLabels(metric: string, labelNames: readonly string[], labels: Labels): void {
  for (const name of Object.keys(labels)) {
    if (!labelNames.includes(name)) throw new Error(`metric ${metric} has no label ${name}`);
  }
}

interface MetricBase {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
}

/** One series of a metric as exposed: its labels (declared order) and value. */
export interface Series<V> {
  labels: Labels;
  value: V;
}

/** A monotonically increasing count. */
export class Counter implements MetricBase {
  readonly type = "counter";
  readonly #series = new Map<string, Series<number>>();
  constructor(readonly name: string, readonly help: string, readonly labelNames: readonly string[]) {}

  /** Adds `amount` (≥ 0) to the series with these labels. */
  inc(labels: Labels = {}, amount = 1): void {
    if (!(amount >= 0)) throw new Error(`counter ${this.name} cannot decrease`);
    checkLabels(this.name, this.labelNames, labels);
    const key = seriesKey(this.labelNames, labels);
    const series = this.#series.get(key);
    if (series) series.value += amount;
    else this.#series.set(key, { labels: { ...labels }, value: amount });
  }

  /** Current value of one series (0 when never touched). */
  get(labels: Labels = {}): number {
    return this.#series.get(seriesKey(this.labelNames, labels))?.value ?? 0;
  }

  collect(): Series<number>[] {
    return [...this.#series.values()];
  }
}

/** A value that goes up and down, set by the code that knows it. */
export class Gauge implements MetricBase {
  readonly type = "gauge";
  readonly #series = new Map<string, Series<SampleValue>>();
  constructor(readonly name: string, readonly help: string, readonly labelNames: readonly string[]) {}

  set(labels: Labels, value: SampleValue): void {
    checkLabels(this.name, this.labelNames, labels);
    this.#series.set(seriesKey(this.labelNames, labels), { labels: { ...labels }, value });
  }

  /** Adds `delta` (may be negative) to a numeric series. */
  add(labels: Labels, delta: number): void {
    const key = seriesKey(this.labelNames, labels);
    const current = this.#series.get(key)?.value ?? 0;
    this.set(labels, Number(current) + delta);
  }

  get(labels: Labels = {}): SampleValue {
    return this.#series.get(seriesKey(this.labelNames, labels))?.value ?? 0;
  }

  collect(): Series<SampleValue>[] {
    return [...this.#series.values()];
  }
}

/** Cumulative bucket counts, sum and count of one histogram series. */
export interface HistogramState {
  /** Per upper bound (same order as the histogram's buckets), non-cumulative counts. */
  counts: number[];
  /** Observations above the last bound. */
  overflow: number;
  sum: number;
  count: number;
}

/** Observations counted into fixed buckets (`le` upper bounds, +Inf implied). */
export class Histogram implements MetricBase {
  readonly type = "histogram";
  readonly #series = new Map<string, Series<HistogramState>>();
  readonly buckets: readonly number[];
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
    buckets: readonly number[],
  ) {
    if (labelNames.includes("le")) throw new Error(`histogram ${name} cannot use the label le`);
    const sorted = [...buckets].sort((a, b) => a - b);
    if (sorted.length === 0 || new Set(sorted).size !== sorted.length) throw new Error(`histogram ${name} needs distinct buckets`);
    this.buckets = sorted;
  }

  observe(labels: Labels, value: number): void {
    if (!Number.isFinite(value)) return;
    checkLabels(this.name, this.labelNames, labels);
    const key = seriesKey(this.labelNames, labels);
    let series = this.#series.get(key);
    if (!series) {
      series = { labels: { ...labels }, value: { counts: this.buckets.map(() => 0), overflow: 0, sum: 0, count: 0 } };
      this.#series.set(key, series);
    }
    const state = series.value;
    const index = this.buckets.findIndex((bound) => value <= bound);
    if (index === -1) state.overflow += 1;
    else state.counts[index] = (state.counts[index] ?? 0) + 1;
    state.sum += value;
    state.count += 1;
  }

  collect(): Series<HistogramState>[] {
    return [...this.#series.values()];
  }
}

/** A gauge whose series are read when scraped, from the database or a worker's state. */
export interface CallbackGauge extends MetricBase {
  readonly type: "gauge";
  read(): Promise<Series<SampleValue>[]> | Series<SampleValue>[];
}

export type Metric = Counter | Gauge | Histogram | CallbackGauge;

/** Holds the process's metrics; names are unique. */
export class MetricsRegistry {
  readonly #metrics = new Map<string, Metric>();

  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    return this.#add(new Counter(name, help, labelNames));
  }

  gauge(name: string, help: string, labelNames: readonly string[] = []): Gauge {
    return this.#add(new Gauge(name, help, labelNames));
  }

  histogram(name: string, help: string, labelNames: readonly string[], buckets: readonly number[]): Histogram {
    return this.#add(new Histogram(name, help, labelNames, buckets));
  }

  /** Registers a gauge computed at scrape time (`read` may query the database). */
  gaugeCallback(
    name: string,
    help: string,
    labelNames: readonly string[],
    read: () => Promise<Series<SampleValue>[]> | Series<SampleValue>[],
  ): CallbackGauge {
    return this.#add({ type: "gauge" as const, name, help, labelNames, read });
  }

  /** Every registered metric, in registration order. */
  metrics(): Metric[] {
    return [...this.#metrics.values()];
  }

  #add<M extends Metric>(metric: M): M {
    if (!NAME.test(metric.name)) throw new Error(`invalid metric name ${metric.name}`);
    for (const label of metric.labelNames) {
      if (!LABEL.test(label) || label.startsWith("__")) throw new Error(`invalid label name ${label} on ${metric.name}`);
    }
    if (this.#metrics.has(metric.name)) throw new Error(`metric ${metric.name} registered twice`);
    this.#metrics.set(metric.name, metric);
    return metric;
  }
}
