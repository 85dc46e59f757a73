import { and, asc, eq, inArray, isNull, sql } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { apiKeys } from "../db/schema/index.js";
import { newId } from "../domain/ids.js";
import type { Nano } from "../domain/money.js";
import type { LimitReset } from "./limit-window.js";
import type { KeyRateLimit } from "./rate-limit.js";
import { mintSecret } from "./secret.js";

export type ApiKey = typeof apiKeys.$inferSelect;
export type KeyKind = ApiKey["kind"];

export interface NewKey {
  accountId: string;
  kind: KeyKind;
  name: string;
  limitNano?: Nano | null;
  limitReset?: LimitReset | null;
  includeByokInLimit?: boolean;
  expiresAt?: Date | null;
  rateLimit?: KeyRateLimit | null;
}

/** The columns that store a key's rate limit (both null for none). */
function rateLimitColumns(limit: KeyRateLimit | null) {
  return { rateLimitRequests: limit?.requests ?? null, rateLimitIntervalMs: limit?.intervalMs ?? null };
}

/** Creates a key and returns its row with the plaintext secret, which is never readable again. */
export async function createKey(db: Db, input: NewKey): Promise<{ key: ApiKey; secret: string }> {
  const minted = mintSecret();
  const [key] = await db
    .insert(apiKeys)
    .values({
      id: newId("key"),
      accountId: input.accountId,
      kind: input.kind,
      hash: minted.hash,
      label: minted.label,
      name: input.name,
      limitNano: input.limitNano ?? null,
      limitReset: input.limitReset ?? null,
      includeByokInLimit: input.includeByokInLimit ?? false,
      expiresAt: input.expiresAt ?? null,
      ...rateLimitColumns(input.rateLimit ?? null),
    })
    .returning();
  if (!key) throw new Error("key insert returned nothing");
  return { key, secret: minted.secret };
}

/** A live (not deleted) key by the sha256 of its secret. */
export async function findKeyByHash(db: Db, hash: string): Promise<ApiKey | null> {
  const [key] = await db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.hash, hash), isNull(apiKeys.deletedAt)));
  return key ?? null;
}

/** A live key of this account by its hash (disabled ones included); null when absent. */
export async function findAccountKey(db: Db, accountId: string, hash: string): Promise<ApiKey | null> {
  const [key] = await db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.accountId, accountId), eq(apiKeys.hash, hash), isNull(apiKeys.deletedAt)));
  return key ?? null;
}

/**
 * Name and hash of each of `ids` that belongs to the account, deleted keys included: usage outlives
 * a key, and its name is how a person recognises it (the id is internal).
 */
export async function accountKeyNames(db: Db, accountId: string, ids: readonly string[]): Promise<Map<string, { name: string; hash: string }>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .select({ id: apiKeys.id, name: apiKeys.name, hash: apiKeys.hash })
    .from(apiKeys)
    .where(and(eq(apiKeys.accountId, accountId), inArray(apiKeys.id, [...ids])));
  return new Map(rows.map((row) => [row.id, { name: row.name, hash: row.hash }]));
}

/** An account's keys, oldest first, `limit` per page. */
export async function listKeys(
  db: Db,
  accountId: string,
  options: { offset: number; limit: number; includeDisabled: boolean; kind?: KeyKind },
): Promise<ApiKey[]> {
  return db
    .select()
    .from(apiKeys)
    .where(
      and(
        eq(apiKeys.accountId, accountId),
        isNull(apiKeys.deletedAt),
        options.includeDisabled ? undefined : eq(apiKeys.disabled, false),
        options.kind ? eq(apiKeys.kind, options.kind) : undefined,
      ),
    )
    .orderBy(asc(apiKeys.createdAt), asc(apiKeys.id))
    .limit(options.limit)
    .offset(options.offset);
}

export interface KeyChanges {
  name?: string;
  disabled?: boolean;
  limitNano?: Nano | null;
  limitReset?: LimitReset | null;
  includeByokInLimit?: boolean;
  expiresAt?: Date | null;
  /** A request rate limit, or null to remove it; only inference keys may have one. */
  rateLimit?: KeyRateLimit | null;
}

/** Updates a key of this account; null when there is no such live key (or, to change a rate limit, no such inference key). */
export async function updateKey(db: Db, accountId: string, hash: string, changes: KeyChanges): Promise<ApiKey | null> {
  const { rateLimit, ...columns } = changes;
  const [key] = await db
    .update(apiKeys)
    .set({ ...columns, ...(rateLimit === undefined ? {} : rateLimitColumns(rateLimit)), updatedAt: sql`now()` })
    .where(
      and(
        eq(apiKeys.accountId, accountId),
        eq(apiKeys.hash, hash),
        isNull(apiKeys.deletedAt),
        rateLimit === undefined ? undefined : eq(apiKeys.kind, "inference"),
      ),
    )
    .returning();
  return key ?? null;
}

/** Deletes a key (kept as a tombstone so past usage still names it); false when absent. */
export async function deleteKey(db: Db, accountId: string, hash: string): Promise<boolean> {
  const deleted = await db
    .update(apiKeys)
    .set({ deletedAt: sql`now()`, disabled: true, updatedAt: sql`now()` })
    .where(and(eq(apiKeys.accountId, accountId), eq(apiKeys.hash, hash), isNull(apiKeys.deletedAt)))
    .returning({ id: apiKeys.id });
  return deleted.length > 0;
}
