import { and, eq, ne } from "drizzle-orm";
import type { AnyPgDatabase } from "../db/client.js";
import { byokKeys } from "../db/schema/byok.js";
import { ProviderSecret, lastFour } from "./secret.js";
import { AppError } from "../domain/errors.js";
import { ReadThroughCache } from "../domain/read-through-cache.js";
import type { KeyVault, SealedKey } from "./vault.js";

/** What GET /api/v1/byok shows for one stored key: never more than the last four characters. */
export interface ByokKeySummary {
  provider: string;
  lastFour: string;
  alwaysUse: boolean;
  createdAt: Date;
  updatedAt: Date;
  lastUsedAt: Date | null;
  lastRejectedAt: Date | null;
}

/** A key opened for one upstream call. */
export interface ByokKeyForUse {
  provider: string;
  secret: ProviderSecret;
  alwaysUse: boolean;
}

/** How the request path's copy of opened keys is kept. */
export interface ByokCacheOptions {
  /**
   * How long an account's opened keys serve requests before they are read again: a change made
   * by a process that cannot tell this one (another machine) is seen within this. Default 5 s,
   * as for API keys.
   */
  ttlMs?: number;
  maxAccounts?: number;
  /** Called after this process changed an account's keys, to tell the other processes (a cluster: wiring/cluster-primary.ts). */
  onChange?: (accountId: string) => void;
}

/** Stores, lists, opens and rotates accounts' provider keys. */
export class ByokStore {
  /**
   * Every request of a BYOK-enabled gateway asks for its account's keys: a database read and a
   * decryption per request cost about a fifth of the request path's CPU (bench/RESULTS.md), so the
   * opened keys are kept per account for a few seconds and forgotten when they change.
   */
  private readonly opened: ReadThroughCache<string, Map<string, ByokKeyForUse>>;
  private readonly onChange: ((accountId: string) => void) | undefined;

  constructor(
    private readonly db: AnyPgDatabase,
    private readonly vault: KeyVault,
    private readonly now: () => Date = () => new Date(),
    cache: ByokCacheOptions = {},
  ) {
    const ttlMs = cache.ttlMs ?? 5_000;
    this.opened = new ReadThroughCache((accountId) => this.openAll(accountId), {
      ttlMs: () => ttlMs,
      maxEntries: cache.maxAccounts ?? 50_000,
      nowMs: () => this.now().getTime(),
    });
    this.onChange = cache.onChange;
  }

  /** The account's keys opened for the request path: {@link openAll}, kept for a few seconds. */
  keysFor(accountId: string): Promise<Map<string, ByokKeyForUse>> {
    return this.opened.get(accountId);
  }

  /** Drops the account's kept keys (another process changed them). */
  forget(accountId: string): void {
    this.opened.forget(accountId);
  }

  private changed(accountId: string): void {
    this.opened.forget(accountId);
    this.onChange?.(accountId);
  }

  /** Seals and stores (or replaces) the account's key for `provider`. */
  async put(accountId: string, provider: string, apiKey: string, alwaysUse = false): Promise<ByokKeySummary> {
    const secret = new ProviderSecret(apiKey);
    const sealed = this.vault.seal(secret, { accountId, provider });
    const at = this.now();
    const values = { ...sealed, lastFour: lastFour(apiKey), alwaysUse, updatedAt: at, lastRejectedAt: null };
    const [row] = await this.db
      .insert(byokKeys)
      .values({ accountId, provider, ...values, createdAt: at })
      .onConflictDoUpdate({ target: [byokKeys.accountId, byokKeys.provider], set: values })
      .returning();
    if (row === undefined) throw new Error("byok upsert returned no row");
    this.changed(accountId);
    return summarize(row);
  }

  /** The account's stored keys, masked. */
  async list(accountId: string): Promise<ByokKeySummary[]> {
    const rows = await this.db.select().from(byokKeys).where(eq(byokKeys.accountId, accountId)).orderBy(byokKeys.provider);
    return rows.map(summarize);
  }

  /** Deletes the account's key for `provider`; false when there was none. */
  async remove(accountId: string, provider: string): Promise<boolean> {
    const rows = await this.db
      .delete(byokKeys)
      .where(and(eq(byokKeys.accountId, accountId), eq(byokKeys.provider, provider)))
      .returning({ provider: byokKeys.provider });
    this.changed(accountId);
    return rows.length > 0;
  }

  /** Opens every key of the account, keyed by provider, read from the database now. */
  async openAll(accountId: string): Promise<Map<string, ByokKeyForUse>> {
    const rows = await this.db.select().from(byokKeys).where(eq(byokKeys.accountId, accountId));
    const result = new Map<string, ByokKeyForUse>();
    for (const row of rows) {
      const secret = this.vault.open(row, { accountId, provider: row.provider });
      result.set(row.provider, { provider: row.provider, secret, alwaysUse: row.alwaysUse });
    }
    return result;
  }

  /** Records the outcome of using a key: success stamps last use, a 401/403 stamps the rejection. */
  async markUsed(accountId: string, provider: string, rejected: boolean): Promise<void> {
    const at = this.now();
    await this.db
      .update(byokKeys)
      .set(rejected ? { lastRejectedAt: at } : { lastUsedAt: at, lastRejectedAt: null })
      .where(and(eq(byokKeys.accountId, accountId), eq(byokKeys.provider, provider)));
  }

  /**
   * Re-seals every row not sealed by the current master key (after the operator sets a new
   * FAREBOX_BYOK_MASTER_KEY and moves the old one to FAREBOX_BYOK_MASTER_KEY_PREVIOUS), so the
   * old key can then be dropped. Each row is updated only if still sealed as it was read, so
   * concurrent runs never both count one row. A row no configured key can open is left as it
   * is and reported; the others are re-sealed anyway. Running it again re-seals nothing.
   */
  async rotate(): Promise<RotationReport> {
    const stale = await this.db.select().from(byokKeys).where(ne(byokKeys.masterKeyId, this.vault.currentKeyId));
    const report: RotationReport = { resealed: 0, unopenable: [] };
    for (const row of stale) {
      const binding = { accountId: row.accountId, provider: row.provider };
      let resealed: SealedKey;
      try {
        resealed = this.vault.reseal(row, binding);
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        report.unopenable.push({ ...binding, masterKeyId: row.masterKeyId, reason: error.message });
        continue;
      }
      const updated = await this.db
        .update(byokKeys)
        .set(resealed)
        .where(
          and(
            eq(byokKeys.accountId, row.accountId),
            eq(byokKeys.provider, row.provider),
            eq(byokKeys.masterKeyId, row.masterKeyId),
            eq(byokKeys.iv, row.iv),
          ),
        )
        .returning({ provider: byokKeys.provider });
      report.resealed += updated.length;
    }
    return report;
  }
}

/** What a rotation did: rows re-sealed under the current master key, and rows it could not open. */
export interface RotationReport {
  resealed: number;
  /** Rows sealed by a master key that is not configured (or tampered with); never any key material. */
  unopenable: { accountId: string; provider: string; masterKeyId: string; reason: string }[];
}

function summarize(row: typeof byokKeys.$inferSelect): ByokKeySummary {
  return {
    provider: row.provider,
    lastFour: row.lastFour,
    alwaysUse: row.alwaysUse,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    lastUsedAt: row.lastUsedAt,
    lastRejectedAt: row.lastRejectedAt,
  };
}
