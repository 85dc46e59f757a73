/**
 * A minimal in-memory stand-in for the ledger and the generation table, following the same
 * rules (holds ≤ available, settle ≤ hold, every hold ends once), with an audit. Used until the
 * gateway is wired to the database ledger.
 */
import type { Billing, GenerationRecord, GenerationStore } from "../../src/gateway/ports.js";
import { usdToNano } from "../../src/domain/money.js";
import type { generations } from "../../src/db/schema/generations.js";

interface Hold {
  accountId: string;
  amountNano: bigint;
  status: "open" | "settled" | "voided";
  settledNano: bigint;
}

export interface MemoryLedger {
  billing: Billing;
  generations: GenerationStore;
  createAccount(usd: string): string;
  balanceNano(accountId: string): bigint;
  /** Sum of usage + fee entries for an account (negative). */
  entries: { accountId: string; kind: "deposit" | "usage" | "fee"; amountNano: bigint; holdId: string | null }[];
  holds: Map<string, Hold>;
  audit(): { ok: boolean; problems: string[] };
}

export function createMemoryLedger(): MemoryLedger {
  const accounts = new Map<string, { balance: bigint; held: bigint }>();
  const holds = new Map<string, Hold>();
  const entries: MemoryLedger["entries"] = [];
  const rows = new Map<string, typeof generations.$inferSelect>();
  let seq = 0;
  const billing: Billing = {
    async placeHold({ caller, amountNano }) {
      const account = accounts.get(caller.accountId);
      if (!account) return { ok: false, reason: "no_account" };
      const available = account.balance - account.held;
      if (available < amountNano) return { ok: false, reason: "insufficient_balance", availableNano: available };
      account.held += amountNano;
      const holdId = `hold_${++seq}`;
      holds.set(holdId, { accountId: caller.accountId, amountNano, status: "open", settledNano: 0n });
      return { ok: true, holdId };
    },
    async settle({ holdId, usageNano, feeNano }) {
      const hold = holds.get(holdId);
      if (!hold || hold.status !== "open" || usageNano + feeNano > hold.amountNano) return { ok: false };
      const account = accounts.get(hold.accountId)!;
      hold.status = "settled";
      hold.settledNano = usageNano + feeNano;
      account.held -= hold.amountNano;
      account.balance -= usageNano + feeNano;
      entries.push({ accountId: hold.accountId, kind: "usage", amountNano: -usageNano, holdId });
      entries.push({ accountId: hold.accountId, kind: "fee", amountNano: -feeNano, holdId });
      return { ok: true };
    },
    async voidHold(holdId) {
      const hold = holds.get(holdId);
      if (!hold || hold.status !== "open") return { ok: false };
      hold.status = "voided";
      accounts.get(hold.accountId)!.held -= hold.amountNano;
      return { ok: true };
    },
  };
  const store: GenerationStore = {
    async save(record: GenerationRecord) {
      rows.set(record.id, { keyId: null, model: null, provider: null, providerName: null, upstreamId: null, router: null, promptTokens: 0, completionTokens: 0, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0, usageEstimated: false, upstreamCostNano: 0n, feeNano: 0n, totalNano: 0n, holdNano: 0n, ttftMs: null, finishReason: null, nativeFinishReason: null, cancelled: false, errorStatus: null, errorMessage: null, httpReferer: null, appTitle: null, attempts: [], ...record } as typeof generations.$inferSelect);
    },
    async find(id, accountId) {
      const row = rows.get(id);
      return row && row.accountId === accountId ? row : undefined;
    },
  };
  return {
    billing,
    generations: store,
    entries,
    holds,
    createAccount(usd) {
      const id = `acct_${++seq}`;
      accounts.set(id, { balance: usdToNano(usd), held: 0n });
      entries.push({ accountId: id, kind: "deposit", amountNano: usdToNano(usd), holdId: null });
      return id;
    },
    balanceNano: (accountId) => accounts.get(accountId)?.balance ?? 0n,
    audit() {
      const problems: string[] = [];
      for (const [id, account] of accounts) {
        const sum = entries.filter((e) => e.accountId === id).reduce((total, e) => total + e.amountNano, 0n);
        if (sum !== account.balance) problems.push(`${id}: entries ${sum} != balance ${account.balance}`);
        if (account.held !== 0n) problems.push(`${id}: ${account.held} still held`);
      }
      for (const [id, hold] of holds) if (hold.status === "open") problems.push(`${id} still open`);
      return { ok: problems.length === 0, problems };
    },
  };
}
