/**
 * A LiteSVM bank that remembers what a Solana RPC node would: every executed transaction
 * (failed ones too) with its slot, pre/post lamports and pre/post token balances captured
 * around the send, and a commitment model where confirmed/finalized lag the processed slot.
 */
import { LiteSVM } from "litesvm";
import { address as kitAddress, getTransactionDecoder, lamports as kitLamports } from "@solana/kit";
import { AccountLayout, MintLayout, TOKEN_PROGRAM_ID, TOKEN_2022_PROGRAM_ID } from "@solana/spl-token";
import type { PublicKey} from "@solana/web3.js";
import { VersionedTransaction, type Transaction } from "@solana/web3.js";

export type Commitment = "processed" | "confirmed" | "finalized";

/** A token balance as the RPC reports it in `meta.pre/postTokenBalances`. */
export interface RecordedTokenBalance {
  accountIndex: number;
  mint: string;
  owner: string;
  programId: string;
  amount: bigint;
  decimals: number;
}

/** One executed transaction as stored by the node. */
export interface RecordedTransaction {
  signature: string;
  slot: number;
  blockTime: number;
  sequence: number;
  transaction: VersionedTransaction;
  accountKeys: string[];
  err: unknown;
  fee: number;
  logs: string[];
  computeUnits: number;
  preBalances: bigint[];
  postBalances: bigint[];
  preTokenBalances: RecordedTokenBalance[];
  postTokenBalances: RecordedTokenBalance[];
}

export interface ChainOptions {
  /** Slots the confirmed view trails processed. */
  confirmedLag?: number;
  /** Slots the finalized view trails processed. */
  finalizedLag?: number;
}

const LAMPORTS_PER_SIGNATURE = 5000;

/** The in-memory chain behind the test RPC server. */
export class SolanaTestChain {
  readonly svm = new LiteSVM();
  readonly transactions: RecordedTransaction[] = [];
  private readonly bySignature = new Map<string, RecordedTransaction>();
  private readonly byAddress = new Map<string, RecordedTransaction[]>();
  private slot = 100;
  confirmedLag: number;
  finalizedLag: number;
  /** Called with every recorded transaction (the websocket pushes log notifications from here). */
  readonly listeners: ((record: RecordedTransaction) => void)[] = [];

  constructor(options: ChainOptions = {}) {
    this.confirmedLag = options.confirmedLag ?? 0;
    this.finalizedLag = options.finalizedLag ?? 0;
  }

  /** The newest slot visible at a commitment. */
  slotAt(commitment: Commitment = "finalized"): number {
    if (commitment === "processed") return this.slot;
    return Math.max(0, this.slot - (commitment === "confirmed" ? this.confirmedLag : this.finalizedLag));
  }

  /** Produces `count` empty slots, moving every commitment view forward. */
  advance(count = 1): void {
    this.slot += count;
  }

  /** Makes everything processed so far finalized (and keeps the lag for later sends). */
  finalizeAll(): void {
    this.slot += Math.max(this.confirmedLag, this.finalizedLag);
  }

  /** Gives an address lamports without a recorded transaction (genesis-style funding). */
  airdrop(address: PublicKey | string, amount: bigint): void {
    this.svm.airdrop(kitAddress(address.toString()), kitLamports(amount));
  }

  lamports(address: PublicKey | string): bigint {
    return this.svm.getBalance(kitAddress(address.toString())) ?? 0n;
  }

  /** Reads a classic SPL token account's amount (0 when absent). */
  tokenAmount(account: PublicKey | string): bigint {
    return this.tokenAccount(account.toString())?.amount ?? 0n;
  }

  /** Executes a signed transaction and records it; failed transactions are recorded with `err`. */
  send(tx: VersionedTransaction | Transaction): RecordedTransaction {
    const versioned = tx instanceof VersionedTransaction ? tx : VersionedTransaction.deserialize(tx.serialize());
    const message = versioned.message;
    const accountKeys = message.staticAccountKeys.map((key) => key.toBase58());
    const preBalances = accountKeys.map((key) => this.lamports(key));
    const preTokenBalances = this.tokenBalances(accountKeys);
    const result = this.svm.sendTransaction(getTransactionDecoder().decode(versioned.serialize()));
    const failed = "err" in result && typeof result.err === "function";
    const meta = failed ? (result as { meta(): { logs(): string[]; computeUnitsConsumed(): bigint } }).meta() : result;
    const signature = encodeBase58(versioned.signatures[0]);
    if (failed && isAlreadyProcessed(result)) throw new Error(`transaction ${signature} already processed`);
    this.slot += 1;
    const record: RecordedTransaction = {
      signature,
      slot: this.slot,
      blockTime: Math.floor(Date.now() / 1000),
      sequence: this.transactions.length,
      transaction: versioned,
      accountKeys,
      err: failed ? toRpcError((result as { err(): unknown }).err()) : null,
      fee: LAMPORTS_PER_SIGNATURE * message.header.numRequiredSignatures,
      logs: (meta as { logs(): string[] }).logs(),
      computeUnits: Number((meta as { computeUnitsConsumed(): bigint }).computeUnitsConsumed()),
      preBalances,
      postBalances: accountKeys.map((key) => this.lamports(key)),
      preTokenBalances,
      postTokenBalances: this.tokenBalances(accountKeys),
    };
    this.transactions.push(record);
    this.bySignature.set(signature, record);
    for (const key of new Set(accountKeys)) {
      const list = this.byAddress.get(key) ?? [];
      list.push(record);
      this.byAddress.set(key, list);
    }
    for (const listener of this.listeners) listener(record);
    return record;
  }

  /** A transaction if it is visible at `commitment`. */
  transaction(signature: string, commitment: Commitment = "finalized"): RecordedTransaction | undefined {
    const record = this.bySignature.get(signature);
    return record !== undefined && record.slot <= this.slotAt(commitment) ? record : undefined;
  }

  /** Any recorded transaction, whatever its commitment (for statuses). */
  anyTransaction(signature: string): RecordedTransaction | undefined {
    return this.bySignature.get(signature);
  }

  /** Transactions that mention `address`, newest first, visible at `commitment`. */
  transactionsFor(address: string, commitment: Commitment): RecordedTransaction[] {
    const visible = this.slotAt(commitment);
    const list = this.byAddress.get(address) ?? [];
    const out: RecordedTransaction[] = [];
    for (let index = list.length - 1; index >= 0; index -= 1) {
      const record = list[index]!;
      if (record.slot <= visible) out.push(record);
    }
    return out;
  }

  private tokenBalances(accountKeys: string[]): RecordedTokenBalance[] {
    const out: RecordedTokenBalance[] = [];
    accountKeys.forEach((key, accountIndex) => {
      const account = this.tokenAccount(key);
      if (account === null) return;
      out.push({ accountIndex, ...account });
    });
    return out;
  }

  /** Decodes an SPL token account (mint, owner, amount, decimals), or null. */
  tokenAccount(
    key: string,
  ): { mint: string; owner: string; programId: string; amount: bigint; decimals: number } | null {
    const account = this.svm.getAccount(kitAddress(key));
    if (!account.exists) return null;
    const programId = account.programAddress.toString();
    const isToken = programId === TOKEN_PROGRAM_ID.toBase58() || programId === TOKEN_2022_PROGRAM_ID.toBase58();
    if (!isToken || account.data.length < AccountLayout.span) return null;
    if (programId === TOKEN_PROGRAM_ID.toBase58() && account.data.length !== AccountLayout.span) return null;
    const decoded = AccountLayout.decode(Buffer.from(account.data));
    const mint = decoded.mint.toBase58();
    const mintAccount = this.svm.getAccount(kitAddress(mint));
    const decimals = mintAccount.exists ? MintLayout.decode(Buffer.from(mintAccount.data)).decimals : 0;
    return { mint, owner: decoded.owner.toBase58(), programId, amount: decoded.amount, decimals };
  }
}

function isAlreadyProcessed(result: unknown): boolean {
  return String(result).includes("AlreadyProcessed");
}

/** Maps LiteSVM's error objects to the JSON shapes an RPC node returns in `err`. */
export function toRpcError(error: unknown): unknown {
  if (typeof error === "object" && error !== null && "index" in error && "err" in error) {
    const inner = (error as { index: number; err(): unknown }).err();
    const detail =
      typeof inner === "object" && inner !== null && "code" in inner
        ? { Custom: (inner as { code: number }).code }
        : typeof inner === "number"
          ? "GenericError"
          : String(inner);
    return { InstructionError: [(error as { index: number }).index, detail] };
  }
  if (typeof error === "object" && error !== null && "accountIndex" in error) {
    return { InsufficientFundsForRent: { account_index: (error as { accountIndex: number }).accountIndex } };
  }
  return "InvalidAccountForFee";
}

const BASE58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/** Base58 of arbitrary bytes (signatures, instruction data). */
export function encodeBase58(bytes: Uint8Array | undefined): string {
  if (bytes === undefined) throw new Error("unsigned transaction");
  let value = BigInt(`0x${Buffer.from(bytes).toString("hex") || "0"}`);
  let out = "";
  while (value > 0n) {
    out = BASE58_ALPHABET[Number(value % 58n)] + out;
    value /= 58n;
  }
  for (const byte of bytes) {
    if (byte !== 0) break;
    out = `1${out}`;
  }
  return out;
}
