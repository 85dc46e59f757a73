/** The Solana sign-in scheme: SIWS messages built and verified by siws.ts, for the shared sign-in flow. */
import { badRequest } from "../domain/errors.js";
import type { SignInScheme } from "./scheme.js";
import { parseSiwsMessage } from "./siws-message.js";
import { createSiwsChallenge, isSolanaAddress, verifySiws } from "./siws.js";

/** Operator settings for SIWS. */
export interface SiwsSchemeOptions {
  /** The site's host (the message's domain) and origin (its URI). */
  domain: string;
  uri: string;
  statement?: string;
  /** Clusters a message may name ("mainnet", "devnet", ...); the first is the default. */
  clusters: readonly string[];
}

const KNOWN_CLUSTERS = new Set(["mainnet", "testnet", "devnet", "localnet"]);

/** Builds the SIWS scheme. */
export function createSiwsScheme(options: SiwsSchemeOptions): SignInScheme {
  const clusters = options.clusters.length > 0 ? options.clusters : ["mainnet"];
  return {
    family: "solana",
    async normalizeAddress(raw) {
      if (typeof raw !== "string" || !isSolanaAddress(raw)) {
        throw badRequest("address must be a base58 Solana public key", { field: "address" });
      }
      return raw;
    },
    resolveChain(requested) {
      if (requested === undefined || requested === null || requested === "solana") return clusters[0]!;
      const cluster = typeof requested === "string" ? requested.replace(/^solana:/, "") : "";
      if (!KNOWN_CLUSTERS.has(cluster) || !clusters.includes(cluster)) {
        throw badRequest(`Solana cluster ${String(requested)} is not accepted; use one of ${clusters.join(", ")}`, {
          field: "chain",
        });
      }
      return cluster;
    },
    buildMessage: async (input) =>
      createSiwsChallenge({
        domain: options.domain,
        uri: options.uri,
        statement: options.statement,
        address: input.address,
        chainId: input.chainRef,
        nonce: input.nonce,
        issuedAt: input.issuedAt,
        expirationTime: input.expiresAt,
      }),
    nonceOf: async (message) => parseSiwsMessage(message)?.nonce,
    async verify(message, signature, now) {
      const nonce = parseSiwsMessage(message)?.nonce;
      if (nonce === undefined) return { kind: "rejected", reason: "not a Sign-In With Solana message" };
      const result = verifySiws({ message, signature, expected: { domain: options.domain, uri: options.uri, nonce, now } });
      if (!result.ok) return { kind: "rejected", reason: result.reason };
      if (result.fields.chainId !== undefined && !clusters.includes(result.fields.chainId)) {
        return { kind: "rejected", reason: "chain_mismatch" };
      }
      return { kind: "verified", address: result.address };
    },
  };
}
