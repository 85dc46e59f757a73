import type { Db } from "../db/client.js";
import { epochMs, systemClock } from "../domain/clock.js";
import { NOT_CACHED, ReadThroughCache } from "../domain/read-through-cache.js";
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

/**
 * Turns a bearer secret into its key row, caching lookups briefly in memory so a request does
 * not pay a database round trip for its key. Disabled and expired states are checked against
 * the clock on every call; a change made elsewhere is seen within `ttlMs`.
 */
export class KeyResolver {
  private readonly cache: ReadThroughCache<string, ApiKey | null>;
  /**
   * The hash of each secret that named a key, so a known key's every request does not hash it
   * again (sha256 per request was ≈1% of a gateway's busy time, npm run bench:profile). Only
   * secrets of found keys are kept: guessed ones cannot fill it. A hash never changes; what it
   * names is still looked up through `cache`, so revocation is seen as before.
   */
  private readonly hashes = new Map<string, string>();
  private readonly maxHashes: number;
  private readonly nowMs: () => number;

  constructor(db: Db, options: KeyResolverOptions = {}) {
    const ttlMs = options.ttlMs ?? 5_000;
    const missTtlMs = options.missTtlMs ?? 1_000;
    const nowMs = epochMs(options.clock ?? systemClock);
    this.nowMs = nowMs;
    this.maxHashes = options.maxEntries ?? 50_000;
    this.cache = new ReadThroughCache((hash) => findKeyByHash(db, hash), {
      ttlMs: (key) => (key ? ttlMs : missTtlMs),
      maxEntries: this.maxHashes,
      nowMs,
    });
  }

  async resolve(secret: string): Promise<KeyCheck> {
    if (!secret.startsWith(KEY_PREFIX)) return { ok: false, reason: "unknown" };
    const hash = this.hashes.get(secret) ?? hashSecret(secret);
    const key = await this.cache.get(hash);
    if (!key) return { ok: false, reason: "unknown" };
    this.rememberHash(secret, hash);
    return this.check(key);
  }

  /**
   * What `resolve` would answer, without waiting, for a key this process found lately and still
   * trusts (most requests); undefined when only `resolve` can tell. A request's key check then
   * costs no promise or microtask hop.
   */
  resolveCached(secret: string): KeyCheck | undefined {
    const hash = this.hashes.get(secret);
    if (hash === undefined) return undefined;
    const key = this.cache.fresh(hash);
    // an unknown key is never remembered by secret; a key since deleted is left to resolve
    if (key === NOT_CACHED || key === null) return undefined;
    return this.check(key);
  }

  private check(key: ApiKey): KeyCheck {
    if (key.disabled || key.deletedAt) return { ok: false, reason: "disabled" };
    if (key.expiresAt && key.expiresAt.getTime() <= this.nowMs()) return { ok: false, reason: "expired" };
    return { ok: true, key };
  }

  private rememberHash(secret: string, hash: string): void {
    if (this.hashes.has(secret)) return;
    if (this.hashes.size >= this.maxHashes) this.hashes.delete(this.hashes.keys().next().value!);
    this.hashes.set(secret, hash);
  }

  /** Forgets a key so the next request reads it again (after this process changed it). */
  invalidate(hash: string): void {
    this.cache.forget(hash);
  }
}
