/** Options of a {@link ReadThroughCache}. */
export interface ReadThroughCacheOptions<V> {
  /** How long a loaded value is trusted, by value (e.g. shorter for "not found"). */
  ttlMs: (value: V) => number;
  /** The cache is emptied when it reaches this many entries (a bound, not an LRU). */
  maxEntries: number;
  nowMs: () => number;
}

interface Entry<V> {
  loadedAtMs: number;
  value: Promise<V>;
  /** The loaded value, once the load succeeded (what `fresh` reads without waiting). */
  settled?: { value: V };
}

/** What `fresh` answers for a key it cannot answer from memory now. */
export const NOT_CACHED: unique symbol = Symbol("not cached");

/**
 * A read-through cache of values loaded from somewhere slower (the database): concurrent reads of
 * one key share one load, a value is trusted for its TTL, a failed load is forgotten at once, and
 * `forget` drops a key a change made (the next read loads it again).
 */
export class ReadThroughCache<K, V> {
  private readonly entries = new Map<K, Entry<V>>();

  constructor(
    private readonly load: (key: K) => Promise<V>,
    private readonly options: ReadThroughCacheOptions<V>,
  ) {}

  async get(key: K): Promise<V> {
    const nowMs = this.options.nowMs();
    for (let cached = this.entries.get(key); cached; ) {
      const value = await cached.value;
      if (nowMs - cached.loadedAtMs < this.options.ttlMs(value)) return value;
      // Readers that found the expired entry resume together (requests whose earlier awaits
      // settled at once): the first reloads, the others read its load. Each used to load for
      // itself: the BYOK store at 1,000 requests/s read byok_keys ≈1,000 times at each expiry
      // (pg_stat_user_tables, npm run bench:profile), where it now reads it once.
      const current = this.entries.get(key);
      if (current === cached) break;
      cached = current;
    }
    if (this.entries.size >= this.options.maxEntries) this.entries.clear();
    const pending = this.load(key);
    const entry: Entry<V> = { loadedAtMs: nowMs, value: pending };
    this.entries.set(key, entry);
    try {
      const value = await pending;
      entry.settled = { value };
      return value;
    } catch (error) {
      if (this.entries.get(key) === entry) this.entries.delete(key);
      throw error;
    }
  }

  /**
   * The value `get` would resolve to now, without waiting, when a load of it already succeeded
   * and is within its TTL; NOT_CACHED otherwise (then `get` decides). Lets a caller skip the
   * promise and microtask hops of `get` on the common path: a request's key check.
   */
  fresh(key: K): V | typeof NOT_CACHED {
    const entry = this.entries.get(key);
    const settled = entry?.settled;
    if (entry === undefined || settled === undefined) return NOT_CACHED;
    return this.options.nowMs() - entry.loadedAtMs < this.options.ttlMs(settled.value) ? settled.value : NOT_CACHED;
  }

  forget(key: K): void {
    this.entries.delete(key);
  }
}
