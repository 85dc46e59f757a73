/**
 * Sends a deposit from a Wallet Standard Solana wallet: a System Program transfer (SOL) or an SPL
 * TransferChecked (e.g. USDC) to the treasury, with the Solana Pay reference key appended as a
 * read-only account (https://docs.solanapay.com/spec#reference), signed and sent by the wallet itself
 * (`solana:signAndSendTransaction`). The page never talks to a Solana node: the blockhash comes from
 * the gateway's GET /api/v1/credits/recent-blockhash.
 */
import {
  AccountRole,
  address,
  appendTransactionMessageInstructions,
  compileTransaction,
  createNoopSigner,
  createTransactionMessage,
  getBase58Decoder,
  getTransactionEncoder,
  pipe,
  setTransactionMessageFeePayer,
  setTransactionMessageLifetimeUsingBlockhash,
  type Blockhash,
  type Instruction,
} from "@solana/kit";
import { getTransferSolInstruction } from "@solana-program/system";
import {
  findAssociatedTokenPda,
  getCreateAssociatedTokenIdempotentInstruction,
  getTransferCheckedInstruction,
  TOKEN_PROGRAM_ADDRESS,
} from "@solana-program/token";
import type { Wallet, WalletAccount } from "@wallet-standard/base";
import { api } from "../api.js";

const SIGN_AND_SEND = "solana:signAndSendTransaction";

interface SignAndSendFeature {
  signAndSendTransaction(...inputs: { account: WalletAccount; chain: string; transaction: Uint8Array }[]): Promise<readonly { signature: Uint8Array }[]>;
}

export interface SolanaPayment {
  /** The CAIP-2 key the gateway names the chain by ("solana:mainnet"): also the Wallet Standard chain. */
  chain: string;
  treasury: string;
  /** The SPL mint; absent for SOL. */
  mint: string | null;
  decimals: number;
  amountBaseUnits: bigint;
  /** The Solana Pay reference key from the intent's URI, when it has one. */
  reference: string | null;
}

/** True when the wallet can sign and send a transaction itself. */
export function canSendSolana(wallet: Wallet): boolean {
  return SIGN_AND_SEND in wallet.features;
}

/** The `reference` parameter of a Solana Pay transfer request URI, if any. */
export function solanaPayReference(uri: string): string | null {
  const query = uri.indexOf("?");
  return query < 0 ? null : new URLSearchParams(uri.slice(query + 1)).get("reference");
}

async function paymentInstructions(payer: string, payment: SolanaPayment): Promise<Instruction[]> {
  const signer = createNoopSigner(address(payer));
  const treasury = address(payment.treasury);
  if (payment.mint === null) {
    return [getTransferSolInstruction({ source: signer, destination: treasury, amount: payment.amountBaseUnits })];
  }
  const mint = address(payment.mint);
  const [source] = await findAssociatedTokenPda({ owner: signer.address, mint, tokenProgram: TOKEN_PROGRAM_ADDRESS });
  const [destination] = await findAssociatedTokenPda({ owner: treasury, mint, tokenProgram: TOKEN_PROGRAM_ADDRESS });
  return [
    // the treasury's token account may not exist yet: creating it is a no-op when it does
    getCreateAssociatedTokenIdempotentInstruction({ payer: signer, ata: destination, owner: treasury, mint }),
    getTransferCheckedInstruction({ source, mint, destination, authority: signer, amount: payment.amountBaseUnits, decimals: payment.decimals }),
  ];
}

/** Builds the payment, has the wallet sign and send it, and returns the transaction's signature (base58). */
export async function sendSolanaPayment(wallet: Wallet, account: WalletAccount, payment: SolanaPayment): Promise<string> {
  const instructions = await paymentInstructions(account.address, payment);
  const transfer = instructions.at(-1)!;
  if (payment.reference) {
    instructions[instructions.length - 1] = { ...transfer, accounts: [...(transfer.accounts ?? []), { address: address(payment.reference), role: AccountRole.READONLY }] };
  }
  const { data } = await api<{ data: { blockhash: string; last_valid_block_height: number } }>(
    `/api/v1/credits/recent-blockhash?chain=${encodeURIComponent(payment.chain)}`,
    { key: null },
  );
  const message = pipe(
    createTransactionMessage({ version: "legacy" }),
    (m) => setTransactionMessageFeePayer(address(account.address), m),
    (m) => setTransactionMessageLifetimeUsingBlockhash({ blockhash: data.blockhash as Blockhash, lastValidBlockHeight: BigInt(data.last_valid_block_height) }, m),
    (m) => appendTransactionMessageInstructions(instructions, m),
  );
  const transaction = new Uint8Array(getTransactionEncoder().encode(compileTransaction(message)));
  const [sent] = await (wallet.features[SIGN_AND_SEND] as SignAndSendFeature).signAndSendTransaction({ account, chain: payment.chain, transaction });
  if (!sent) throw new Error(`${wallet.name} returned no signature`);
  return getBase58Decoder().decode(sent.signature);
}
