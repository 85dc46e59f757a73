/** The ledger's public API: accounts, append-only entries, holds and the audit. */
export { createAccount, getBalance, getTotals, listAccounts } from "./accounts.js";
export type { AccountBalance, AccountSummary, AccountTotals } from "./accounts.js";
export { postEntry } from "./entries.js";
export type { EntryKind, NewEntry, PostResult } from "./entries.js";
export { endHolds, expireHolds, placeHold, renewHolds, settleHold, voidHold } from "./holds.js";
export type { EndHoldResult, HoldEnding, HoldEndingResult, KeyScope, PlaceHoldInput, PlaceHoldResult, SettleInput } from "./holds.js";
export { postAdminCredit } from "./admin-credits.js";
export type { AdminCredit, AdminCreditResult } from "./admin-credits.js";
export { auditLedger } from "./audit.js";
export type { AuditReport } from "./audit.js";
