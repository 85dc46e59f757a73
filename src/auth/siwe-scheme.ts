/** The EVM sign-in scheme: EIP-4361 messages built and verified by siwe.ts. */
import type { Address, PublicClient } from "viem";
import { badRequest } from "../domain/errors.js";
import type { SignInScheme } from "./scheme.js";
import type * as Siwe from "./siwe.js";
import type { SiweSite } from "./siwe.js";

/** Operator settings for SIWE. */
export interface SiweSchemeOptions {
  site: SiweSite;
  /** Chain ids a message may name; the first is the default. */
  chainIds: readonly number[];
  /** How long a challenge stays valid. */
  challengeTtlMs: number;
  /** Read clients for ERC-1271/6492 verification, per chain id. */
  clientFor?: (chainId: number) => PublicClient | undefined;
}

let siweModule: Promise<typeof Siwe> | undefined;

/**
 * siwe.ts, and with it viem, is imported on the first EVM sign-in rather than at start: viem is
 * megabytes of resident memory in every gateway process (bench:memory), and sign-ins are rare.
 */
function loadSiwe(): Promise<typeof Siwe> {
  siweModule ??= import("./siwe.js");
  return siweModule;
}

/** Builds the SIWE scheme for the shared sign-in flow. */
export function createSiweScheme(options: SiweSchemeOptions): SignInScheme {
  const chainIds = options.chainIds.length > 0 ? options.chainIds : [1];
  return {
    family: "evm",
    normalizeAddress: async (raw) => (await loadSiwe()).normalizeEvmAddress(raw),
    resolveChain(requested) {
      if (requested === undefined || requested === null) return String(chainIds[0]);
      const id = typeof requested === "string" && /^\d+$/.test(requested) ? Number(requested) : requested;
      if (typeof id !== "number" || !Number.isSafeInteger(id) || !chainIds.includes(id)) {
        throw badRequest(`chain_id ${String(requested)} is not accepted; use one of ${chainIds.join(", ")}`, { field: "chain_id" });
      }
      return String(id);
    },
    async buildMessage(input) {
      const { buildSiweMessage } = await loadSiwe();
      return buildSiweMessage({
        site: options.site,
        // checksummed by buildSiweMessage
        address: input.address as Address,
        chainId: Number(input.chainRef),
        nonce: input.nonce,
        issuedAt: input.issuedAt,
        expiresAt: input.expiresAt,
      });
    },
    nonceOf: async (message) => (await loadSiwe()).siweNonce(message),
    async verify(message, signature, now) {
      const { verifySiwe } = await loadSiwe();
      const result = await verifySiwe(message, signature, {
        site: options.site,
        allowedChainIds: chainIds,
        now,
        maxAgeMs: options.challengeTtlMs,
        clientFor: options.clientFor,
      });
      return result.kind === "verified" ? { kind: "verified", address: result.address } : result;
    },
  };
}
