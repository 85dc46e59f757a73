/**
 * Builders of real signed transactions for the test chain: SOL transfers, an SPL mint at a
 * chosen address (e.g. mainnet USDC), minting, and transferChecked with optional creation of
 * the recipient's associated token account and Solana Pay reference keys.
 */
import { createPrivateKey, sign, type KeyObject } from "node:crypto";
import { address as kitAddress } from "@solana/kit";
import {
  createAssociatedTokenAccountIdempotentInstruction,
  createMintToCheckedInstruction,
  createTransferCheckedInstruction,
  getAssociatedTokenAddressSync,
  MINT_SIZE,
  MintLayout,
  TOKEN_PROGRAM_ID,
} from "@solana/spl-token";
import {
  Keypair,
  PublicKey,
  SystemProgram,
  TransactionMessage,
  VersionedTransaction,
  type TransactionInstruction,
} from "@solana/web3.js";
import type { RecordedTransaction, SolanaTestChain } from "./chain.js";

/** Mainnet USDC mint; the test chain can host a mint at this exact address. */
export const USDC_MINT = new PublicKey("EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v");

/** Signs a v0 transaction over fresh blockhash so identical transfers get distinct signatures. */
export function buildTransaction(
  chain: SolanaTestChain,
  payer: Keypair,
  instructions: TransactionInstruction[],
  signers: Keypair[] = [],
  version: 0 | "legacy" = 0,
): VersionedTransaction {
  chain.svm.expireBlockhash();
  const message = new TransactionMessage({
    payerKey: payer.publicKey,
    recentBlockhash: chain.svm.latestBlockhash(),
    instructions,
  });
  const tx = new VersionedTransaction(version === 0 ? message.compileToV0Message() : message.compileToLegacyMessage());
  const bytes = tx.message.serialize();
  for (const signer of [payer, ...signers]) tx.addSignature(signer.publicKey, sign(null, bytes, privateKey(signer)));
  return tx;
}

const privateKeys = new WeakMap<Keypair, KeyObject>();

/** Native ed25519 signing (the pure-JS signer makes thousand-transaction tests slow). */
function privateKey(keypair: Keypair): KeyObject {
  let key = privateKeys.get(keypair);
  if (key === undefined) {
    const seed = Buffer.from(keypair.secretKey.subarray(0, 32));
    const der = Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), seed]);
    key = createPrivateKey({ key: der, format: "der", type: "pkcs8" });
    privateKeys.set(keypair, key);
  }
  return key;
}

/** Adds read-only, non-signer reference keys to an instruction (Solana Pay). */
export function withReferences(instruction: TransactionInstruction, references: PublicKey[]): TransactionInstruction {
  for (const reference of references) instruction.keys.push({ pubkey: reference, isSigner: false, isWritable: false });
  return instruction;
}

/** A funded keypair. */
export function fundedWallet(chain: SolanaTestChain, lamports = 10_000_000_000n): Keypair {
  const wallet = Keypair.generate();
  chain.airdrop(wallet.publicKey, lamports);
  return wallet;
}

/** Sends SOL; `references` are appended to the transfer instruction. */
export function transferSol(
  chain: SolanaTestChain,
  from: Keypair,
  to: PublicKey,
  lamports: bigint,
  options: { references?: PublicKey[]; version?: 0 | "legacy"; payer?: Keypair } = {},
): RecordedTransaction {
  const instruction = withReferences(
    SystemProgram.transfer({ fromPubkey: from.publicKey, toPubkey: to, lamports }),
    options.references ?? [],
  );
  const payer = options.payer ?? from;
  return chain.send(buildTransaction(chain, payer, [instruction], payer === from ? [] : [from], options.version));
}

/** Installs an initialized SPL mint at `mint` (any address, e.g. mainnet USDC). */
export function installMint(chain: SolanaTestChain, mint: PublicKey, authority: PublicKey, decimals = 6): void {
  const data = Buffer.alloc(MINT_SIZE);
  MintLayout.encode(
    {
      mintAuthorityOption: 1,
      mintAuthority: authority,
      supply: 0n,
      decimals,
      isInitialized: true,
      freezeAuthorityOption: 0,
      freezeAuthority: PublicKey.default,
    },
    data,
  );
  chain.svm.setAccount({
    address: kitAddress(mint.toBase58()),
    lamports: chain.svm.minimumBalanceForRentExemption(BigInt(MINT_SIZE)) as never,
    programAddress: kitAddress(TOKEN_PROGRAM_ID.toBase58()),
    executable: false,
    data,
    space: BigInt(MINT_SIZE),
  });
}

/** Mints tokens to `owner`'s associated token account, creating it if needed. */
export function mintTo(
  chain: SolanaTestChain,
  authority: Keypair,
  mint: PublicKey,
  owner: PublicKey,
  amount: bigint,
  decimals = 6,
): RecordedTransaction {
  const ata = getAssociatedTokenAddressSync(mint, owner, true);
  return chain.send(
    buildTransaction(chain, authority, [
      createAssociatedTokenAccountIdempotentInstruction(authority.publicKey, ata, owner, mint),
      createMintToCheckedInstruction(mint, ata, authority.publicKey, amount, decimals),
    ]),
  );
}

/**
 * transferChecked from `from`'s ATA to `toOwner`'s ATA. With `createRecipientAccount`, the
 * recipient ATA is created in the same transaction (so it has no pre token balance).
 */
export function transferToken(
  chain: SolanaTestChain,
  from: Keypair,
  mint: PublicKey,
  toOwner: PublicKey,
  amount: bigint,
  options: { decimals?: number; createRecipientAccount?: boolean; references?: PublicKey[]; payer?: Keypair } = {},
): RecordedTransaction {
  const decimals = options.decimals ?? 6;
  const payer = options.payer ?? from;
  const source = getAssociatedTokenAddressSync(mint, from.publicKey, true);
  const destination = getAssociatedTokenAddressSync(mint, toOwner, true);
  const instructions: TransactionInstruction[] = [];
  if (options.createRecipientAccount === true) {
    instructions.push(createAssociatedTokenAccountIdempotentInstruction(payer.publicKey, destination, toOwner, mint));
  }
  instructions.push(
    withReferences(
      createTransferCheckedInstruction(source, mint, destination, from.publicKey, amount, decimals),
      options.references ?? [],
    ),
  );
  const signers = payer === from ? [] : [from];
  return chain.send(buildTransaction(chain, payer, instructions, signers));
}
