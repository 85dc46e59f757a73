/** The EVM sign-in scheme: EIP-4361 messages built and verified by siwe.ts. */
import { getAddress, isAddress, type PublicClient } from "viem";
import { badRequest } from "../domain/errors.js";
import type { SignInScheme } from "./scheme.js";
import { buildSiweMessage, siweNonce, verifySiwe, type SiweSite } from "./siwe.js";

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

/** Builds the SIWE scheme for the shared sign-in flow. */
export function createSiweScheme(options: SiweSchemeOptions): SignInScheme {
  const chainIds = options.chainIds.length > 0 ? options.chainIds : [1];
  return {
    family: "evm",
    normalizeAddress(raw) {
      if (typeof raw !== "string" || !isAddress(raw, { strict: false })) {
        throw badRequest("address must be a 0x-prefixed 20-byte hex EVM address", { field: "address" });
      }
      // A mixed-case address must carry a valid EIP-55 checksum.
      if (raw !== raw.toLowerCase() && raw.slice(2) !== raw.slice(2).toUpperCase() && !isAddress(raw, { strict: true })) {
        throw badRequest("address has an invalid EIP-55 checksum", { field: "address" });
      }
      return getAddress(raw);
    },
    resolveChain(requested) {
      if (requested === undefined || requested === null) return String(chainIds[0]);
      const id = typeof requested === "string" && /^\d+$/.test(requested) ? Number(requested) : requested;
      if (typeof id !== "number" || !Number.isSafeInteger(id) || !chainIds.includes(id)) {
        throw badRequest(`chain_id ${String(requested)} is not accepted; use one of ${chainIds.join(", ")}`, { field: "chain_id" });
      }
      return String(id);
    },
    buildMessage: (input) =>
      buildSiweMessage({
        site: options.site,
        address: getAddress(input.address),
        chainId: Number(input.chainRef),
        nonce: input.nonce,
        issuedAt: input.issuedAt,
        expiresAt: input.expiresAt,
      }),
    nonceOf: siweNonce,
    async verify(message, signature, now) {
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
