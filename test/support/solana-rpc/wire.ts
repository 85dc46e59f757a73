/**
 * Renders recorded transactions in the exact JSON shapes a Solana RPC node returns and
 * @solana/web3.js 1.99 validates with superstruct (getTransaction json / jsonParsed,
 * getSignaturesForAddress entries, signature statuses).
 */
import { SystemInstruction, SystemProgram, TransactionInstruction } from "@solana/web3.js";
import { encodeBase58, type Commitment, type RecordedTokenBalance, type RecordedTransaction, type SolanaTestChain } from "./chain.js";

/** Which commitment a recorded transaction has reached. */
export function confirmationStatus(chain: SolanaTestChain, record: RecordedTransaction): Commitment {
  if (record.slot <= chain.slotAt("finalized")) return "finalized";
  if (record.slot <= chain.slotAt("confirmed")) return "confirmed";
  return "processed";
}

/** One `getSignaturesForAddress` entry. */
export function signatureInfo(chain: SolanaTestChain, record: RecordedTransaction): Record<string, unknown> {
  return {
    signature: record.signature,
    slot: record.slot,
    err: record.err,
    memo: null,
    blockTime: record.blockTime,
    confirmationStatus: confirmationStatus(chain, record),
  };
}

/** One `getSignatureStatuses` value. */
export function signatureStatus(chain: SolanaTestChain, record: RecordedTransaction): Record<string, unknown> {
  const status = confirmationStatus(chain, record);
  return {
    slot: record.slot,
    confirmations: status === "finalized" ? null : Math.max(0, chain.slotAt("processed") - record.slot),
    err: record.err,
    status: record.err === null ? { Ok: null } : { Err: record.err },
    confirmationStatus: status,
  };
}

/** The transaction's version as the RPC names it. */
export function versionOf(record: RecordedTransaction): 0 | "legacy" {
  return record.transaction.message.version === "legacy" ? "legacy" : 0;
}

function tokenBalances(list: RecordedTokenBalance[]): Record<string, unknown>[] {
  return list.map((balance) => {
    const ui = Number(balance.amount) / 10 ** balance.decimals;
    return {
      accountIndex: balance.accountIndex,
      mint: balance.mint,
      owner: balance.owner,
      programId: balance.programId,
      uiTokenAmount: {
        amount: balance.amount.toString(),
        decimals: balance.decimals,
        uiAmount: balance.amount === 0n ? null : ui,
        uiAmountString: ui.toString(),
      },
    };
  });
}

function meta(record: RecordedTransaction, innerInstructions: unknown[]): Record<string, unknown> {
  return {
    err: record.err,
    status: record.err === null ? { Ok: null } : { Err: record.err },
    fee: record.fee,
    preBalances: record.preBalances.map(Number),
    postBalances: record.postBalances.map(Number),
    preTokenBalances: tokenBalances(record.preTokenBalances),
    postTokenBalances: tokenBalances(record.postTokenBalances),
    innerInstructions,
    logMessages: record.logs,
    rewards: [],
    loadedAddresses: { writable: [], readonly: [] },
    computeUnitsConsumed: record.computeUnits,
  };
}

/** `getTransaction` with `encoding: "json"`. */
export function jsonTransaction(record: RecordedTransaction): Record<string, unknown> {
  const message = record.transaction.message;
  return {
    slot: record.slot,
    blockTime: record.blockTime,
    version: versionOf(record),
    meta: meta(record, []),
    transaction: {
      signatures: record.transaction.signatures.map((signature) => encodeBase58(signature)),
      message: {
        header: message.header,
        accountKeys: record.accountKeys,
        recentBlockhash: message.recentBlockhash,
        instructions: message.compiledInstructions.map((instruction) => ({
          programIdIndex: instruction.programIdIndex,
          accounts: [...instruction.accountKeyIndexes],
          data: encodeBase58(instruction.data),
          stackHeight: null,
        })),
        ...(message.version === "legacy" ? {} : { addressTableLookups: [] }),
      },
    },
  };
}

/** `getTransaction` with `encoding: "jsonParsed"` (system transfers parsed, others raw). */
export function parsedTransaction(record: RecordedTransaction): Record<string, unknown> {
  const message = record.transaction.message;
  const accountKeys = record.accountKeys.map((pubkey, index) => ({
    pubkey,
    signer: index < message.header.numRequiredSignatures,
    writable: message.isAccountWritable(index),
    source: "transaction",
  }));
  const instructions = message.compiledInstructions.map((compiled) => {
    const programId = record.accountKeys[compiled.programIdIndex] ?? "";
    const accounts = compiled.accountKeyIndexes.map((index) => record.accountKeys[index] ?? "");
    return parseInstruction(programId, accounts, Buffer.from(compiled.data), message, compiled.accountKeyIndexes);
  });
  return {
    slot: record.slot,
    blockTime: record.blockTime,
    version: versionOf(record),
    meta: meta(record, []),
    transaction: {
      signatures: record.transaction.signatures.map((signature) => encodeBase58(signature)),
      message: {
        accountKeys,
        recentBlockhash: message.recentBlockhash,
        instructions,
        ...(message.version === "legacy" ? {} : { addressTableLookups: [] }),
      },
    },
  };
}

function parseInstruction(
  programId: string,
  accounts: string[],
  data: Buffer,
  message: RecordedTransaction["transaction"]["message"],
  indexes: number[],
): Record<string, unknown> {
  if (programId === SystemProgram.programId.toBase58()) {
    try {
      const keys = indexes.map((index) => ({
        pubkey: message.staticAccountKeys[index]!,
        isSigner: message.isAccountSigner(index),
        isWritable: message.isAccountWritable(index),
      }));
      const instruction = new TransactionInstruction({ programId: SystemProgram.programId, keys, data });
      if (SystemInstruction.decodeInstructionType(instruction) === "Transfer") {
        const decoded = SystemInstruction.decodeTransfer(instruction);
        return {
          program: "system",
          programId,
          parsed: {
            type: "transfer",
            info: {
              source: decoded.fromPubkey.toBase58(),
              destination: decoded.toPubkey.toBase58(),
              lamports: Number(decoded.lamports),
            },
          },
          stackHeight: null,
        };
      }
    } catch {
      // fall through to the raw form, as a node does for instructions it cannot parse
    }
  }
  return { programId, accounts, data: encodeBase58(data), stackHeight: null };
}
