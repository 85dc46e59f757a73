/**
 * A prom-client Counter whose increments on the request path are summed per label set and handed
 * to prom-client when the counter is read (its `collect` hook, which every scrape and `get()` run
 * first). prom-client's `inc` builds a hash string from the labels, validates them and returns a
 * result object on every call: three of them per settled generation, with their label objects,
 * were ≈1.1 KB of allocation per request (bench/RESULTS.md, "Fourth pass"). prom-client stays the
 * registry and the exposition: series appear in the order they were first counted, with the same
 * values, and an increment prom-client refuses (negative, infinite) is still refused at once.
 */
import type { Counter } from "prom-client";
import type { Labels } from "./registry.js";

/** Increments of one prom-client counter, kept until it is read. */
export class DeferredCounter {
  readonly counter: Counter;
  /** Amount counted since the last read, per label object (from a LabelSets: one per label set), in the order first counted. */
  readonly #pending = new Map<Labels, number>();

  /** `create` makes the prom-client counter with the given `collect` hook. */
  constructor(create: (collect: () => void) => Counter) {
    this.counter = create(() => this.#flush());
  }

  /** Adds `by` to the series of `labels` (an increment by 0 still creates it, as prom-client's does). */
  inc(labels: Labels, by = 1): void {
    if (by < 0 || by === Infinity) {
      this.counter.inc(labels, by); // refused by prom-client, now, as before
      return;
    }
    this.#pending.set(labels, (this.#pending.get(labels) ?? 0) + by);
  }

  #flush(): void {
    for (const [labels, amount] of this.#pending) this.counter.inc(labels, amount);
    this.#pending.clear();
  }
}
