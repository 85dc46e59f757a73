/**
 * Bounded block ranges that shrink when a provider refuses a range or result size (chains.md §2.3)
 * and grow back slowly after successes.
 */

const RANGE_ERROR = /range|limit|exceed|too many|more than|query returned|block range|10000|-32005|response size/i;

/** True when an RPC error says the requested block range or result set was too large. */
export function isRangeError(error: unknown): boolean {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth += 1) {
    if (current instanceof Error) {
      parts.push(current.message);
      const details = (current as { details?: unknown }).details;
      if (typeof details === "string") parts.push(details);
      const code = (current as { code?: unknown }).code;
      if (code === -32005) return true;
      current = current.cause;
    } else break;
  }
  return RANGE_ERROR.test(parts.join(" "));
}

/** Mutable chunk size for one listener: halve on range errors, grow by a quarter on success. */
export class RangeSizer {
  private size: bigint;

  constructor(
    private readonly max: bigint,
    private readonly min: bigint = 1n,
  ) {
    this.size = max;
  }

  /** The current number of blocks per request. */
  get current(): bigint {
    return this.size;
  }

  /** Halves the chunk; returns false if it is already at the minimum (the error is then real). */
  shrink(): boolean {
    if (this.size <= this.min) return false;
    this.size = this.size / 2n < this.min ? this.min : this.size / 2n;
    return true;
  }

  /** Grows the chunk after a success, up to the maximum. */
  grow(): void {
    const next = this.size + (this.size / 4n > 0n ? this.size / 4n : 1n);
    this.size = next > this.max ? this.max : next;
  }
}

/**
 * Runs `read(from, to)` for the chunk starting at `from` and ending no later than `maxTo`,
 * shrinking and retrying on range errors. Returns the range actually read.
 */
export async function readBounded<T>(
  sizer: RangeSizer,
  from: bigint,
  maxTo: bigint,
  read: (from: bigint, to: bigint) => Promise<T>,
): Promise<{ to: bigint; value: T }> {
  for (;;) {
    const end = from + sizer.current - 1n;
    const to = end < maxTo ? end : maxTo;
    try {
      const value = await read(from, to);
      sizer.grow();
      return { to, value };
    } catch (error) {
      if (isRangeError(error) && sizer.shrink()) continue;
      throw error;
    }
  }
}
