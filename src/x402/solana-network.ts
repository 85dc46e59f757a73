/**
 * x402 on Solana: the `exact` SVM scheme (specs/schemes/exact/scheme_exact_svm.md). The payer signs a
 * transaction whose TransferChecked moves USDC to the associated token account of `payTo` (the
 * treasury wallet, the owner the chain listener watches); the operator's fee payer (`extra.feePayer`)
 * co-signs and pays the fees. The settled transfer is read back exactly as the listener reads it, under
 * the listener's chain key, so the same deposit is never credited twice.
 */
import { getCompiledTransactionMessageDecoder } from "@solana/kit";
import { decodeTransactionFromPayload, getTokenPayerFromTransaction, TOKEN_2022_PROGRAM_ADDRESS, TOKEN_PROGRAM_ADDRESS, transactionMessageHash } from "@x402/svm";
import { PublicKey, type Connection } from "@solana/web3.js";
import { createSolanaConnection } from "../chains/solana/connection.js";
import { observeTransaction } from "../chains/solana/observation.js";
import { X402_SOLANA_MAINNET } from "../config/x402-schema.js";
import type { SolanaDepositRuntime } from "../deposits/solana-chain.js";
import { toDepositObservation } from "../deposits/solana-sync.js";
import { serviceUnavailable } from "../domain/errors.js";
import type { PayloadAuthorization, PaymentNetwork } from "./network.js";

/** Lamports the fee payer must hold to be sent to settle: a few transactions' fees with priority fees, with headroom. */
const FEE_PAYER_MIN_LAMPORTS = 1_000_000;

/** SPL Token instruction tag of TransferChecked. */
const TRANSFER_CHECKED = 12;

/** The payer, the message hash (single use) and the TransferChecked amount of an `exact` SVM payload. */
function svmAuthorization(payload: unknown): PayloadAuthorization | undefined {
  if (typeof payload !== "object" || payload === null) return undefined;
  const { transaction } = payload as { transaction?: unknown };
  if (typeof transaction !== "string" || transaction.length === 0) return undefined;
  try {
    const decoded = decodeTransactionFromPayload({ transaction });
    const payer = getTokenPayerFromTransaction(decoded);
    if (!payer) return undefined;
    const compiled = getCompiledTransactionMessageDecoder().decode(decoded.messageBytes);
    const tokenPrograms = new Set<string>([TOKEN_PROGRAM_ADDRESS, TOKEN_2022_PROGRAM_ADDRESS]);
    // legacy and v0 messages (what the exact scheme builds) list compiled instructions
    const instructions = "instructions" in compiled ? compiled.instructions : [];
    const transfer = instructions.find((ix) => tokenPrograms.has(compiled.staticAccounts[ix.programAddressIndex]?.toString() ?? "") && ix.data?.[0] === TRANSFER_CHECKED);
    if (!transfer?.data || transfer.data.length < 9) return undefined;
    const value = new DataView(transfer.data.buffer, transfer.data.byteOffset + 1, 8).getBigUint64(0, true);
    return { payer, nonce: transactionMessageHash(decoded), value };
  } catch {
    return undefined;
  }
}

/**
 * The x402 view of the configured Solana chain. `feePayer` is the operator's fee payer address, which
 * co-signs and pays every settlement's fees.
 */
export function solanaPaymentNetwork(runtime: SolanaDepositRuntime, feePayer: string): PaymentNetwork {
  const usdc = runtime.config.assets.find((asset) => asset.symbol === "USDC" && asset.mint);
  if (!usdc?.mint) throw new Error("chains.solana has no USDC mint asset");
  const usdcSpec = runtime.scan.assets.find((asset) => asset.mint === usdc.mint)!;
  const chain = runtime.description.chain;
  let connection: Connection | undefined;
  // the facilitator waits for `confirmed`, as the spec asks; the deposit is read at that commitment too
  const connect = () => (connection ??= createSolanaConnection({ rpcUrl: runtime.config.rpc_url, commitment: "confirmed" }));
  return {
    family: "solana",
    offered: {
      // the deposit layer has one Solana chain, stored as `solana:mainnet`; x402 names it by its genesis hash
      network: X402_SOLANA_MAINNET,
      asset: usdc.mint,
      symbol: "USDC",
      decimals: usdc.decimals ?? 6,
      payTo: runtime.config.treasury,
      extra: () => Promise.resolve({ feePayer }),
    },
    reasons: { amount: "invalid_exact_svm_payload_amount_mismatch", replayed: "duplicate_settlement" },
    authorization: svmAuthorization,
    async assertCanSettle() {
      const lamports = await connect().getBalance(new PublicKey(feePayer), "confirmed");
      if (lamports < FEE_PAYER_MIN_LAMPORTS) {
        throw serviceUnavailable(
          `x402 payments on Solana are paused: the operator's fee payer ${feePayer} cannot pay transaction fees. Nothing was charged; retry later or pay with an API key.`,
          { reason: "x402_relayer_unfunded", network: X402_SOLANA_MAINNET },
          60,
        );
      }
    },
    async settledDeposit(txId, payer) {
      const tx = await connect().getParsedTransaction(txId, { commitment: "confirmed", maxSupportedTransactionVersion: 0 });
      if (!tx) return undefined;
      const observation = observeTransaction(txId, tx, runtime.config.treasury, [usdcSpec]).find((o) => o.senders.includes(payer));
      return observation && toDepositObservation(chain, observation);
    },
    valuer: runtime.valuer,
  };
}
