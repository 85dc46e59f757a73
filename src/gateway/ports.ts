/**
 * What the chat use case needs from the rest of the system, as narrow interfaces: the caller
 * (from the auth plugin), billing (ledger holds), the generation log and whoever listens for
 * settled generations. Production wires the ledger and the database behind them (services.ts);
 * nothing here performs I/O itself.
 *
 * Words: a *hold* is a row of the ledger (placed, then settled, voided or expired); a
 * *reservation* is one request's worst case, reserved inside a hold that many requests share.
 */
import type { generations } from "../db/schema/generations.js";
import type { Nano } from "../domain/money.js";
import type { CancelSignal } from "../domain/cancellation.js";
import type { ByokCredential } from "../byok/byok-plan.js";

/** The authenticated inference key making the request. */
export interface Caller {
  accountId: string;
  keyId: string;
  /** The key's spending limit in its current window; absent when the key has no limit. */
  limit?: { limitNano: Nano; windowStart: Date };
}

/** Outcome of reserving a request's worst case; `holdId` names the ledger hold it was reserved in. */
export type ReservationOutcome =
  | { ok: true; holdId: string }
  | { ok: false; reason: "insufficient_balance"; availableNano: Nano }
  | { ok: false; reason: "key_limit"; remainingNano: Nano }
  | { ok: false; reason: "no_account" };

/** A stored generation: one row of `generations`, every column given. */
export type GenerationRecord = typeof generations.$inferSelect;

/** How a finished request ends: its charge (possibly nothing) and its generation record. */
export interface Conclusion {
  /** The hold the request was reserved in ("" when it reserved nothing). */
  holdId: string;
  /** What the request reserved there. */
  reservedNano: Nano;
  usageNano: Nano;
  feeNano: Nano;
  /** Stored on the ledger entries. */
  metadata: Record<string, unknown>;
  record: GenerationRecord;
}

/** The ledger side of one request: reserve the worst case, then conclude. */
export interface Billing {
  reserve(input: { caller: Caller; amountNano: Nano; now: Date }): Promise<ReservationOutcome>;
  /**
   * Charges the request and stores its generation record (together when it can); resolves once
   * the charge is written. A record that cannot be stored never holds the charge back.
   */
  conclude(conclusion: Conclusion): Promise<void>;
  /**
   * Writes every conclusion started so far without waiting to batch them, then gives back every
   * hold no request is using (shutdown, tests).
   */
  drain(): Promise<void>;
  /** A finished request's record while its write is still pending (undefined otherwise). */
  unwritten(generationId: string): GenerationRecord | undefined;
}

/**
 * The "generation settled" port: told of every generation once its charge and record are written
 * (analytics rollups, metrics). A returned promise is waited for by `drain`; a listener that
 * batches returns one promise for a whole batch. Its failure is reported, never a charge's.
 */
export type OnSettled = (record: GenerationRecord) => Promise<void> | void;

/** Where generation records come back from. */
export interface GenerationStore {
  /** The caller's own generation; undefined for unknown ids and other accounts' ids. */
  find(id: string, accountId: string): Promise<(typeof generations.$inferSelect) | undefined>;
}

/**
 * A validated embeddings request, as an inbound format hands it to the use case: texts or
 * token-id arrays, one vector wanted per entry.
 */
export interface EmbeddingsInput {
  model?: string;
  /** Fallback models, tried in order after `model`. */
  models?: string[];
  input: string[] | number[][];
  /** Length of the vectors wanted. */
  dimensions?: number;
  /** The input's role (e.g. search_query, search_document) for models that care. */
  inputType?: string;
  /** The caller's end user (kept on the generation record). */
  user?: string;
  /** OpenRouter's `provider` preferences as sent (validated like chat's). */
  provider?: unknown;
}

/** What an embeddings request answered: the vectors, who served them and what they cost. */
export interface EmbeddingsResult {
  id: string;
  /** The catalog id of the model that served the request. */
  model: string;
  /** Display name of the serving provider. */
  provider: string;
  /** Unix seconds. */
  created: number;
  /** Float vectors in input order. */
  vectors: number[][];
  /** Input tokens billed (the upstream's count, or the estimate when it reported none). */
  promptTokens: number;
  /** What the account was charged (list price + fee, or the BYOK fee). */
  chargedNano: Nano;
  /** What the provider charged for the request at list price (the own key's bill when BYOK). */
  upstreamNano: Nano;
  isByok: boolean;
}

/** App attribution headers. */
export interface RequestMeta {
  httpReferer?: string;
  appTitle?: string;
  /** The generation id to use (so a stream can announce it before routing finishes). */
  generationId?: string;
  /** The `x-session-id` header: which conversation the request continues (the body's `session_id` wins). */
  sessionId?: string;
  /** Fires when the client goes away. */
  signal?: CancelSignal;
}

/** The account's own provider keys (BYOK), opened for one request, and the BYOK fee. */
export interface ByokKeys {
  keysFor(accountId: string): Promise<ReadonlyMap<string, ByokCredential>>;
  /** fees.byok_bps. */
  feeBps: number;
  /** Records that the provider refused the account's key (401/403), for GET /api/v1/byok. */
  markRejected?(accountId: string, provider: string): Promise<void>;
}
