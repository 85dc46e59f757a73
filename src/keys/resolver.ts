import type { Db } from "../db/client.js";
import { findKeyByHash, type ApiKey } from "./repository.js";
import { hashSecret, KEY_PREFIX } from "./secret.js";

export type KeyCheck = { ok: true; key: ApiKey } | { ok: false; reason: "unknown" | "disabled" | "expired" };

export interface KeyResolverOptions {
  /** How long a found key is trusted before it is read again: revocation takes effect within this. */
  ttlMs?: number;
  /** How long an unknown key is remembered as unknown (shields the database from key guessing). */
  missTtlMs?: number;
  maxEntries?: number;
  clock?: () => Date;
}

interface CacheEntry {
  fetchedAtMs: number;
  key: Promise<ApiKey | null>;
}

/**
 * Turns a bearer secret into its key row, caching lookups briefly in memory so a request does
 * not pay a database round trip for its key. Disabled and expired states are checked against
 * the clock on every call; a change made elsewhere is seen within `ttlMs`.
 */
export class KeyResolver {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly ttlMs: number;
  private readonly missTtlMs: number;
  private readonly maxEntries: number;
  private readonly clock: () => Date;

  constructor(
    private readonly db: Db,
    options: KeyResolverOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 5_000;
    this.missTtlMs = options.missTtlMs ?? 1_000;
    this.maxEntries = options.maxEntries ?? 50_000;
    this.clock = options.clock ?? (() => new Date());
  }

  async resolve(secret: string): Promise<KeyCheck> {
    if (!secret.startsWith(KEY_PREFIX)) return { ok: false, reason: "unknown" };
    const hash = hashSecret(secret);
    const key = await this.lookup(hash);
    if (!key) return { ok: false, reason: "unknown" };
    if (key.disabled || key.deletedAt) return { ok: false, reason: "disabled" };
    if (key.expiresAt && key.expiresAt.getTime() <= this.clock().getTime()) return { ok: false, reason: "expired" };
    return { ok: true, key };
  }

  /** Forgets a key so the next request reads it again (after this process changed it). */
  invalidate(hash: string): void {
    this.cache.delete(hash);
  }

  private async lookup(hash: string): Promise<ApiKey | null> {
    const nowMs = this.clock().getTime();
    const cached = this.cache.get(hash);
    if (cached) {
      const key = await cached.key;
      if (nowMs - cached.fetchedAtMs < (key ? this.ttlMs : this.missTtlMs)) return key;
    }
    if (this.cache.size >= this.maxEntries) this.cache.clear();
    const pending = findKeyByHash(this.db, hash);
    this.cache.set(hash, { fetchedAtMs: nowMs, key: pending });
    try {
      return await pending;
    } catch (error) {
      this.cache.delete(hash);
      throw error;
    }
  }
}
