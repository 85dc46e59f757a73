/**
 * Fixed bucket bounds for histograms kept in rollup rows. A row stores one count per bound
 * plus a final overflow count, so rows add element-wise and percentiles come from the sum.
 */

/** Upper bounds (ms) for total latency and time to first token. */
export const LATENCY_BOUNDS_MS: readonly number[] = [
  25, 50, 100, 150, 200, 300, 400, 500, 750, 1000, 1500, 2000, 3000, 4000, 5000, 7500, 10000, 15000, 20000, 30000,
  60000, 120000,
];

/** Upper bounds (tokens per second) for generation throughput. */
export const THROUGHPUT_BOUNDS_TPS: readonly number[] = [5, 10, 20, 30, 40, 50, 75, 100, 150, 200, 300, 500, 1000, 2000];

/** An all-zero histogram for `bounds` (one slot per bound plus overflow). */
export function emptyHistogram(bounds: readonly number[]): number[] {
  return new Array<number>(bounds.length + 1).fill(0);
}

/** Index of the slot `value` falls in (≤ bound; the last slot is overflow). */
export function slotOf(bounds: readonly number[], value: number): number {
  for (let i = 0; i < bounds.length; i += 1) {
    if (value <= (bounds[i] ?? Infinity)) return i;
  }
  return bounds.length;
}

/** Adds `from` into `into`, element-wise. */
export function addHistogram(into: number[], from: readonly number[]): void {
  for (let i = 0; i < from.length; i += 1) into[i] = (into[i] ?? 0) + (from[i] ?? 0);
}

/**
 * Estimates the q-quantile (0 < q < 1) from bucket counts, interpolating linearly inside the
 * bucket like Prometheus' histogram_quantile. Null when empty. A quantile in the overflow slot
 * reports the last bound (a floor, not an estimate).
 */
export function quantile(bounds: readonly number[], counts: readonly number[], q: number): number | null {
  const total = counts.reduce((sum, c) => sum + c, 0);
  if (total === 0) return null;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < counts.length; i += 1) {
    const count = counts[i] ?? 0;
    if (count > 0 && seen + count >= rank) {
      if (i >= bounds.length) return bounds[bounds.length - 1] ?? null;
      const lower = i === 0 ? 0 : (bounds[i - 1] ?? 0);
      const upper = bounds[i] ?? lower;
      return lower + (upper - lower) * ((rank - seen) / count);
    }
    seen += count;
  }
  return bounds[bounds.length - 1] ?? null;
}
