/**
 * What the chat use case needs from the rest of the system, as narrow interfaces: the caller
 * (from the auth plugin), billing (ledger holds) and the generation log. Production wires the
 * ledger and the database behind them; nothing here performs I/O itself.
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

/** Outcome of reserving the worst case. */
export type HoldOutcome =
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
  heldNano: Nano;
  usageNano: Nano;
  feeNano: Nano;
  /** Stored on the ledger entries. */
  metadata: Record<string, unknown>;
  record: GenerationRecord;
}

/** The ledger side of one request: reserve the worst case, then conclude. */
export interface Billing {
  placeHold(input: { caller: Caller; amountNano: Nano; now: Date }): Promise<HoldOutcome>;
  /**
   * Charges the request and stores its generation record (together when it can); resolves once
   * the charge is written. A record that cannot be stored never holds the charge back.
   */
  conclude(conclusion: Conclusion): Promise<void>;
  /** Waits for background work on finished requests, then gives back every reservation no request is using (shutdown, tests). */
  drain(): Promise<void>;
  /** Until the returned function is called, finished requests are written without waiting to be batched. */
  hurry(): () => void;
  /** A finished request's record while its write is still pending (undefined otherwise). */
  unwritten(generationId: string): GenerationRecord | undefined;
}

/** Where generation records come back from. */
export interface GenerationStore {
  /** The caller's own generation; undefined for unknown ids and other accounts' ids. */
  find(id: string, accountId: string): Promise<(typeof generations.$inferSelect) | undefined>;
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
