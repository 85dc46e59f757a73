/**
 * The chain-agnostic wallet sign-in flow: issue a single-use challenge, then verify the signed message,
 * consume its nonce atomically, and return the account (created on first sign-in, or the authenticated
 * account the wallet is being linked to).
 */
import { and, eq, gt, lt, sql } from "drizzle-orm";
import { atomically } from "../db/atomic.js";
import type { Db } from "../db/client.js";
import { signInNonces, walletIdentities } from "../db/schema/index.js";
import { AppError, badRequest, conflict, unauthorized } from "../domain/errors.js";
import { newId, randomAlphanumeric } from "../domain/ids.js";
import { createAccount } from "../ledger/index.js";
import type { SignInScheme } from "./scheme.js";

/** A challenge for the client to sign. */
export interface Challenge {
  message: string;
  nonce: string;
  expiresAt: Date;
}

/** How long a client refused for too many open challenges is asked to wait. */
const CHALLENGE_TABLE_FULL_RETRY_S = 60;

/**
 * Creates and stores a challenge for `address` on `chain` (both validated by the scheme). At most
 * `maxOpen` unexpired challenges exist at once: past that a new one is refused with a 503 (each
 * would be a row that only a signature or its expiry removes), so however many anonymous callers
 * ask, the table stays bounded.
 */
export async function issueChallenge(
  db: Db,
  scheme: SignInScheme,
  request: { address: unknown; chain?: unknown },
  now: Date,
  ttlMs: number,
  maxOpen: number,
): Promise<Challenge> {
  if (typeof request.address !== "string") throw badRequest("address is required", { field: "address" });
  const address = await scheme.normalizeAddress(request.address);
  const chainRef = scheme.resolveChain(request.chain);
  const nonce = randomAlphanumeric(24);
  const expiresAt = new Date(now.getTime() + ttlMs);
  const message = await scheme.buildMessage({ address, chainRef, nonce, issuedAt: now, expiresAt });
  // Expired challenges are useless; clearing them here keeps the table small without a timer.
  await db.delete(signInNonces).where(lt(signInNonces.expiresAt, now));
  // Counting stops at the cap, so the check costs the same however full the table is.
  const open = db.select({ one: sql`1` }).from(signInNonces).where(gt(signInNonces.expiresAt, now)).limit(maxOpen).as("open");
  const [counted] = await db.select({ n: sql<number>`count(*)::int` }).from(open);
  if ((counted?.n ?? 0) >= maxOpen) {
    throw new AppError("Too many sign-in challenges are open; retry in a minute", {
      httpStatus: 503,
      errorType: "provider_overloaded",
      retryable: true,
      headers: { "Retry-After": String(CHALLENGE_TABLE_FULL_RETRY_S) },
      metadata: { reason: "challenge_capacity" },
    });
  }
  await db.insert(signInNonces).values({ nonce, family: scheme.family, address, chainRef, message, expiresAt, createdAt: now });
  return { message, nonce, expiresAt };
}

/** A completed sign-in. */
export interface SignedIn {
  accountId: string;
  isNewAccount: boolean;
  family: "evm" | "solana";
  address: string;
  /** True when the wallet was just linked to an already authenticated account. */
  linked: boolean;
}

const SIGN_IN_FAILED = (reason: string) => unauthorized(`sign-in failed: ${reason}`, { reason });

/**
 * Verifies a signed challenge. `authenticatedAccountId` (from a management key on the request) links the
 * wallet to that account instead of signing in. Nothing is created unless every check passes.
 */
export async function completeSignIn(
  db: Db,
  schemes: readonly SignInScheme[],
  request: { message: unknown; signature: unknown },
  now: Date,
  authenticatedAccountId?: string,
): Promise<SignedIn> {
  if (typeof request.message !== "string" || request.message.length === 0 || request.message.length > 4096) {
    throw badRequest("message must be the challenge text (a non-empty string)", { field: "message" });
  }
  if (typeof request.signature !== "string" || request.signature.length === 0 || request.signature.length > 8192) {
    throw badRequest("signature must be a non-empty string", { field: "signature" });
  }
  const message = request.message;
  const signature = request.signature;
  let stored: typeof signInNonces.$inferSelect | undefined;
  for (const scheme of schemes) {
    const nonce = await scheme.nonceOf(message);
    if (!nonce) continue;
    [stored] = await db.select().from(signInNonces).where(eq(signInNonces.nonce, nonce));
    if (stored) break;
  }
  if (!stored || stored.expiresAt.getTime() <= now.getTime()) throw SIGN_IN_FAILED("unknown, expired or already used nonce; request a new challenge");
  if (stored.message !== message) throw SIGN_IN_FAILED("the message is not the challenge that was issued");
  const scheme = schemes.find((s) => s.family === stored.family);
  if (!scheme) throw SIGN_IN_FAILED(`${stored.family} sign-in is not enabled`);
  const verified = await scheme.verify(message, signature, now);
  if (verified.kind === "rejected") throw SIGN_IN_FAILED(verified.reason);
  if (verified.address !== stored.address) throw SIGN_IN_FAILED("the signer is not the challenged address");
  const nonce = stored.nonce;
  const family = stored.family;
  const address = stored.address;

  return atomically<SignedIn>(db, async (tx) => {
    // Single use: whoever deletes the row first wins; a replay finds nothing.
    const consumed = await tx
      .delete(signInNonces)
      .where(and(eq(signInNonces.nonce, nonce), gt(signInNonces.expiresAt, now)))
      .returning({ nonce: signInNonces.nonce });
    if (consumed.length === 0) throw SIGN_IN_FAILED("unknown, expired or already used nonce; request a new challenge");
    const [identity] = await tx
      .select()
      .from(walletIdentities)
      .where(and(eq(walletIdentities.family, family), eq(walletIdentities.address, address)))
      .for("update");
    if (identity) {
      if (authenticatedAccountId && identity.accountId !== authenticatedAccountId) {
        throw conflict("this wallet is already linked to another account", { reason: "wallet_linked_elsewhere" });
      }
      return { accountId: identity.accountId, isNewAccount: false, family, address, linked: false };
    }
    const accountId = authenticatedAccountId ?? (await createAccount(tx));
    await tx
      .insert(walletIdentities)
      .values({ id: newId("wal"), accountId, family, address, createdAt: now })
      .onConflictDoNothing();
    const [owner] = await tx
      .select({ accountId: walletIdentities.accountId })
      .from(walletIdentities)
      .where(and(eq(walletIdentities.family, family), eq(walletIdentities.address, address)));
    if (owner?.accountId !== accountId) {
      // Another sign-in for the same new wallet won the race; this one must not leave an empty account behind.
      throw new AppError("wallet sign-in raced with another sign-in; retry", { httpStatus: 409, errorType: "invalid_request", retryable: true });
    }
    return { accountId, isNewAccount: !authenticatedAccountId, family, address, linked: Boolean(authenticatedAccountId) };
  });
}

/** Wallets linked to an account, oldest first. */
export async function listWallets(db: Db, accountId: string): Promise<{ family: "evm" | "solana"; address: string; createdAt: Date }[]> {
  return db
    .select({ family: walletIdentities.family, address: walletIdentities.address, createdAt: walletIdentities.createdAt })
    .from(walletIdentities)
    .where(eq(walletIdentities.accountId, accountId))
    .orderBy(sql`${walletIdentities.createdAt} asc`);
}
