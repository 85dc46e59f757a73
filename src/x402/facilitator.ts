/**
 * Who verifies and settles payments: farebox itself (the x402 reference facilitator's `exact` EVM
 * scheme run in-process, submitting `transferWithAuthorization` from the operator's relayer key), or a
 * remote x402 facilitator when `x402.facilitator_url` is set.
 */
import { x402Facilitator } from "@x402/core/facilitator";
import { HTTPFacilitatorClient } from "@x402/core/server";
import { SettleError, VerifyError, type PaymentPayload, type PaymentRequirements, type SettleResponse, type VerifyResponse } from "@x402/core/types";
import { toFacilitatorEvmSigner } from "@x402/evm";
import { ExactEvmScheme } from "@x402/evm/exact/facilitator";
import { createKeyPairSignerFromBytes } from "@solana/kit";
import { toFacilitatorSvmSigner } from "@x402/svm";
import { registerExactSvmScheme } from "@x402/svm/exact/facilitator";
import type { EvmRelayerClient } from "../chains/evm/client.js";

/** The operator's Solana fee payer on one x402 network: its 64-byte secret key and the RPC it sends through. */
export interface SolanaFeePayer {
  network: string;
  secretKey: Uint8Array;
  rpcUrl: string;
}

/** The facilitator's two calls (x402 v2 `/verify` and `/settle`). */
export interface Facilitator {
  verify(payload: PaymentPayload, requirements: PaymentRequirements): Promise<VerifyResponse>;
  settle(payload: PaymentPayload, requirements: PaymentRequirements): Promise<SettleResponse>;
}

/**
 * Settles on `relayers` (one client per CAIP-2 EVM network) and, with `solana`, Solana's exact scheme
 * co-signed by the operator's fee payer, in this process.
 */
export function localFacilitator(relayers: ReadonlyMap<string, EvmRelayerClient>, solana?: SolanaFeePayer): Facilitator {
  const facilitator = new x402Facilitator();
  for (const [network, client] of relayers) {
    const signer = toFacilitatorEvmSigner({
      address: client.account.address,
      readContract: (args) => client.readContract(args as Parameters<typeof client.readContract>[0]),
      verifyTypedData: (args) => client.verifyTypedData(args as Parameters<typeof client.verifyTypedData>[0]),
      writeContract: (args) => client.writeContract(args as Parameters<typeof client.writeContract>[0]),
      sendTransaction: (args) => client.sendTransaction(args),
      waitForTransactionReceipt: (args) => client.waitForTransactionReceipt(args),
      getCode: (args) => client.getCode(args),
    });
    facilitator.register(network as `${string}:${string}`, new ExactEvmScheme(signer));
  }
  // kit's key pair signer is made asynchronously (WebCrypto): registered before the first call
  const ready = solana
    ? createKeyPairSignerFromBytes(solana.secretKey).then((signer) => {
        registerExactSvmScheme(facilitator, { signer: toFacilitatorSvmSigner(signer, { defaultRpcUrl: solana.rpcUrl }), networks: solana.network as `${string}:${string}` });
      })
    : Promise.resolve();
  return {
    verify: async (payload, requirements) => (await ready, facilitator.verify(payload, requirements)),
    settle: async (payload, requirements) => (await ready, facilitator.settle(payload, requirements)),
  };
}

/**
 * Verifies and settles through the x402 facilitator at `url`. A refusal the facilitator answers with an
 * error status is a refusal like any other (its reason kept); other failures (unreachable, timeout)
 * are thrown: a settlement's outcome is then unknown.
 */
export function remoteFacilitator(url: string): Facilitator {
  const client = new HTTPFacilitatorClient({ url });
  return {
    async verify(payload, requirements) {
      try {
        return await client.verify(payload, requirements);
      } catch (error) {
        if (!(error instanceof VerifyError)) throw error;
        return { isValid: false, ...(error.invalidReason ? { invalidReason: error.invalidReason } : {}), ...(error.invalidMessage ? { invalidMessage: error.invalidMessage } : {}), ...(error.payer ? { payer: error.payer } : {}) };
      }
    },
    async settle(payload, requirements) {
      try {
        return await client.settle(payload, requirements);
      } catch (error) {
        if (!(error instanceof SettleError)) throw error;
        return { success: false, transaction: error.transaction, network: error.network, ...(error.errorReason ? { errorReason: error.errorReason } : {}), ...(error.errorMessage ? { errorMessage: error.errorMessage } : {}), ...(error.payer ? { payer: error.payer } : {}) };
      }
    },
  };
}
