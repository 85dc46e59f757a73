/**
 * Plain deposit observations extracted from parsed Solana transactions by balance deltas
 * (chains.md §3.3): lamports for the treasury wallet, `uiTokenAmount.amount` for the
 * treasury's token accounts, always bigint (never `uiAmount`). Pure, no I/O.
 */
import type { ParsedTransactionWithMeta, TokenBalance } from "@solana/web3.js";

/** An asset the treasury accepts. `mint` absent = native SOL. */
export interface SolanaAssetSpec {
  symbol: string;
  decimals: number;
  /** SPL mint (base58); omitted for SOL. */
  mint?: string;
  /** Token account that receives this mint (the treasury's associated token account). */
  tokenAccount?: string;
}

/** One credit-worthy amount received by the treasury in one transaction. */
export interface SolanaDepositObservation {
  chain: "solana";
  signature: string;
  slot: number;
  blockTime: number | null;
  /** "SOL" or the mint address; part of the unique key. */
  asset: string;
  symbol: string;
  decimals: number;
  amountBaseUnits: bigint;
  /** The address that received it: treasury wallet (SOL) or its token account. */
  to: string;
  /** Wallets whose balance of this asset decreased in the transaction (candidate payers). */
  senders: string[];
  /** Every account key of the transaction (Solana Pay references are among them). */
  accountKeys: string[];
  /** Solana Pay reference matched for this transaction, if any. */
  reference?: string;
}

/** The asset key used for native SOL. */
export const SOL_ASSET = "SOL";

/**
 * Observations for one transaction: one per asset whose treasury balance went up.
 * Failed transactions and transactions without meta yield nothing.
 */
export function observeTransaction(
  signature: string,
  tx: ParsedTransactionWithMeta,
  treasury: string,
  assets: SolanaAssetSpec[],
): SolanaDepositObservation[] {
  const meta = tx.meta;
  if (meta === null || meta.err !== null) return [];
  const accountKeys = tx.transaction.message.accountKeys.map((key) => key.pubkey.toBase58());
  const base = { chain: "solana" as const, signature, slot: tx.slot, blockTime: tx.blockTime ?? null, accountKeys };
  const out: SolanaDepositObservation[] = [];
  for (const asset of assets) {
    if (asset.mint === undefined) {
      const amount = lamportDelta(tx, accountKeys, treasury);
      if (amount > 0n) {
        const senders = lamportSenders(tx, accountKeys, treasury);
        const { symbol, decimals } = asset;
        out.push({ ...base, asset: SOL_ASSET, symbol, decimals, amountBaseUnits: amount, to: treasury, senders });
      }
      continue;
    }
    const tokenAccount = asset.tokenAccount;
    if (tokenAccount === undefined) continue;
    const index = accountKeys.indexOf(tokenAccount);
    if (index < 0) continue;
    const post = tokenAmountAt(meta.postTokenBalances, index, asset.mint);
    const amount = post - tokenAmountAt(meta.preTokenBalances, index, asset.mint);
    if (amount > 0n) {
      const senders = tokenSenders(meta.preTokenBalances, meta.postTokenBalances, asset.mint, treasury);
      const { symbol, decimals, mint } = asset;
      out.push({ ...base, asset: mint, symbol, decimals, amountBaseUnits: amount, to: tokenAccount, senders });
    }
  }
  return out;
}

function lamportDelta(tx: ParsedTransactionWithMeta, accountKeys: string[], wallet: string): bigint {
  const meta = tx.meta;
  const index = accountKeys.indexOf(wallet);
  if (meta === null || index < 0) return 0n;
  const pre = meta.preBalances[index];
  const post = meta.postBalances[index];
  return pre === undefined || post === undefined ? 0n : BigInt(post) - BigInt(pre);
}

/** Signers whose lamports went down, largest decrease first (the source before a fee payer). */
function lamportSenders(tx: ParsedTransactionWithMeta, accountKeys: string[], treasury: string): string[] {
  const out: [string, bigint][] = [];
  tx.transaction.message.accountKeys.forEach((key, index) => {
    const address = accountKeys[index];
    if (!key.signer || address === undefined || address === treasury) return;
    const delta = lamportDelta(tx, accountKeys, address);
    if (delta < 0n) out.push([address, delta]);
  });
  return byLargestDecrease(out);
}

function byLargestDecrease(entries: [string, bigint][]): string[] {
  return entries.sort((a, b) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0)).map(([address]) => address);
}

/** A token account's amount by account index; absent (e.g. created in this tx) = 0. */
function tokenAmountAt(balances: TokenBalance[] | null | undefined, index: number, mint: string): bigint {
  const entry = (balances ?? []).find((balance) => balance.accountIndex === index && balance.mint === mint);
  return entry === undefined ? 0n : BigInt(entry.uiTokenAmount.amount);
}

/** Owners whose total balance of `mint` went down, largest decrease first. */
function tokenSenders(
  pre: TokenBalance[] | null | undefined,
  post: TokenBalance[] | null | undefined,
  mint: string,
  treasury: string,
): string[] {
  const byOwner = new Map<string, bigint>();
  const add = (list: TokenBalance[] | null | undefined, sign: bigint): void => {
    for (const balance of list ?? []) {
      if (balance.mint !== mint || balance.owner === undefined) continue;
      byOwner.set(balance.owner, (byOwner.get(balance.owner) ?? 0n) + sign * BigInt(balance.uiTokenAmount.amount));
    }
  };
  add(post, 1n);
  add(pre, -1n);
  return byLargestDecrease([...byOwner].filter(([owner, delta]) => delta < 0n && owner !== treasury));
}
