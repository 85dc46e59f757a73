/**
 * x402 on one EVM chain: USDC's `exact` scheme (EIP-3009 `transferWithAuthorization`), the treasury as
 * `payTo`, the token's EIP-712 domain read from the token itself, the relayer's gas balance check, and
 * the settled transfer read back from its receipt exactly as the chain listener reads it.
 */
import { getAddress, isAddress, isHex, type Address, type PublicClient } from "viem";
import { checkDepositTransaction } from "../chains/evm/receipt.js";
import { serviceUnavailable } from "../domain/errors.js";
import type { EvmDepositRuntime } from "../deposits/evm-chain.js";
import type { PaymentNetwork } from "./network.js";

const eip712DomainAbi = [
  { type: "function", name: "name", stateMutability: "view", inputs: [], outputs: [{ type: "string" }] },
  { type: "function", name: "version", stateMutability: "view", inputs: [], outputs: [{ type: "string" }] },
] as const;

/**
 * Gas one `transferWithAuthorization` may use, with headroom (USDC's costs about 60–90k): a relayer
 * holding less than this at the current gas price is not sent to settle.
 */
const SETTLEMENT_GAS = 200_000n;

/** Reads a token's EIP-712 domain once (retried after a failure). */
function tokenDomain(client: PublicClient, token: Address): () => Promise<Record<string, unknown>> {
  let cached: Promise<Record<string, unknown>> | undefined;
  return () => {
    cached ??= Promise.all([
      client.readContract({ address: token, abi: eip712DomainAbi, functionName: "name" }),
      client.readContract({ address: token, abi: eip712DomainAbi, functionName: "version" }),
    ]).then(
      ([name, version]) => ({ name, version }),
      (error: unknown) => {
        cached = undefined;
        throw serviceUnavailable(`cannot read the USDC token's EIP-712 domain on ${getAddress(token)}: ${error instanceof Error ? error.message : String(error)}`, { reason: "x402_chain_unavailable" });
      },
    );
    return cached;
  };
}

/** The EIP-3009 authorization of an `exact` EVM payload, validated for shape. */
function eip3009Authorization(payload: unknown): { payer: string; nonce: string; value: bigint } | undefined {
  if (typeof payload !== "object" || payload === null) return undefined;
  const { signature, authorization } = payload as { signature?: unknown; authorization?: Record<string, unknown> };
  if (typeof signature !== "string" || !isHex(signature) || typeof authorization !== "object" || authorization === null) return undefined;
  const { from, to, value, validAfter, validBefore, nonce } = authorization;
  const integer = (v: unknown) => typeof v === "string" && /^\d{1,78}$/.test(v);
  if (typeof from !== "string" || !isAddress(from) || typeof to !== "string" || !isAddress(to)) return undefined;
  if (!integer(value) || !integer(validAfter) || !integer(validBefore)) return undefined;
  if (typeof nonce !== "string" || !/^0x[0-9a-fA-F]{64}$/.test(nonce)) return undefined;
  return { payer: getAddress(from), nonce: nonce.toLowerCase(), value: BigInt(value as string) };
}

/**
 * The x402 view of a configured EVM chain. `relayer` is the address that pays settlement gas (absent
 * when a remote facilitator settles).
 */
export function evmPaymentNetwork(runtime: EvmDepositRuntime, relayer: Address | undefined): PaymentNetwork {
  const usdc = runtime.config.assets.find((asset) => asset.symbol === "USDC" && asset.address);
  if (!usdc?.address) throw new Error(`${runtime.watch.chain} has no USDC token asset`);
  const token = getAddress(usdc.address);
  const client = runtime.client;
  return {
    family: "evm",
    offered: {
      network: runtime.watch.chain,
      asset: token,
      symbol: "USDC",
      decimals: usdc.decimals ?? 6,
      payTo: runtime.watch.treasury,
      extra: tokenDomain(client, token),
    },
    reasons: { amount: "invalid_exact_evm_payload_authorization_value", replayed: "invalid_exact_evm_nonce_already_used" },
    authorization: eip3009Authorization,
    async assertCanSettle() {
      if (!relayer) return;
      const [balance, gasPrice] = await Promise.all([client.getBalance({ address: relayer }), client.getGasPrice()]);
      if (balance < gasPrice * SETTLEMENT_GAS) {
        throw serviceUnavailable(
          `x402 payments on ${runtime.watch.chain} are paused: the operator's relayer ${relayer} cannot pay settlement gas. Nothing was charged; retry later or pay with an API key.`,
          { reason: "x402_relayer_unfunded", network: runtime.watch.chain },
          60,
        );
      }
    },
    async settledDeposit(txId, payer) {
      const check = await checkDepositTransaction(client, runtime.watch, txId);
      if (check.kind !== "included") return undefined;
      return check.observations.find((o) => o.asset === "USDC" && getAddress(o.from) === getAddress(payer));
    },
    valuer: runtime.valuer,
  };
}
