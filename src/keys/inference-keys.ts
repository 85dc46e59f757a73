/**
 * The key-management use cases: creating and changing an account's inference keys under the
 * rules every key must meet (a limit is never negative, an expiry is in the future), whichever
 * client asks. The HTTP routes only parse the wire and present the result.
 */
import { badRequest, notFound } from "../domain/errors.js";
import type { Nano } from "../domain/money.js";
import type { Db } from "../db/client.js";
import { createKey, updateKey, type ApiKey, type KeyChanges, type NewKey } from "./repository.js";

/** What the caller may set on a new inference key. */
export type InferenceKeyInput = Omit<NewKey, "accountId" | "kind">;

function checkLimit(limitNano: Nano | null | undefined): void {
  if (limitNano !== undefined && limitNano !== null && limitNano < 0n) throw badRequest("limit cannot be negative");
}

/** Creates an inference key of `accountId`; 400 when a rule is broken. */
export async function createInferenceKey(db: Db, accountId: string, input: InferenceKeyInput, now: Date): Promise<{ key: ApiKey; secret: string }> {
  if (input.expiresAt && input.expiresAt.getTime() <= now.getTime()) throw badRequest("expires_at must be in the future");
  checkLimit(input.limitNano);
  return createKey(db, { ...input, accountId, kind: "inference" });
}

/** Changes a live key of `accountId` (a rate limit only on an inference key); 400 when a rule is broken, 404 when there is no such key. */
export async function changeAccountKey(db: Db, accountId: string, hash: string, changes: KeyChanges): Promise<ApiKey> {
  checkLimit(changes.limitNano);
  const key = await updateKey(db, accountId, hash, changes);
  if (!key) throw notFound(changes.rateLimit === undefined ? "No key with that hash in this account" : "No inference key with that hash in this account");
  return key;
}
