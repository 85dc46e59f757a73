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
  /**
   * The wallets whose balance of this asset went down by exactly the amount received (the fee payer's
   * lamports count only beyond its fee): the payer, never an account that merely paid the fee.
   */
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
        const senders = lamportSenders(tx, accountKeys, treasury, amount);
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
      const senders = tokenSenders(meta.preTokenBalances, meta.postTokenBalances, asset.mint, treasury, amount);
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

/**
 * Signers whose lamports went down by exactly `amount` (the fee payer, account 0, by `amount` plus the
 * transaction fee). A fee payer that only paid the fee is not a sender.
 */
function lamportSenders(tx: ParsedTransactionWithMeta, accountKeys: string[], treasury: string, amount: bigint): string[] {
  const fee = BigInt(tx.meta?.fee ?? 0);
  const out: string[] = [];
  tx.transaction.message.accountKeys.forEach((key, index) => {
    const address = accountKeys[index];
    if (!key.signer || address === undefined || address === treasury) return;
    const spent = -lamportDelta(tx, accountKeys, address) - (index === 0 ? fee : 0n);
    if (spent === amount) out.push(address);
  });
  return out;
}

/** A token account's amount by account index; absent (e.g. created in this tx) = 0. */
function tokenAmountAt(balances: TokenBalance[] | null | undefined, index: number, mint: string): bigint {
  const entry = (balances ?? []).find((balance) => balance.accountIndex === index && balance.mint === mint);
  return entry === undefined ? 0n : BigInt(entry.uiTokenAmount.amount);
}

/** Owners whose total balance of `mint` went down by exactly `amount`. */
function tokenSenders(
  pre: TokenBalance[] | null | undefined,
  post: TokenBalance[] | null | undefined,
  mint: string,
  treasury: string,
  amount: bigint,
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
  return [...byOwner].filter(([owner, delta]) => delta === -amount && owner !== treasury).map(([owner]) => owner);
}
