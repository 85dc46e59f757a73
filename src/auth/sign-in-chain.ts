/**
 * Which wallet family and chain a sign-in challenge is for. Sign-in takes the family ("evm",
 * "solana", with an optional `chain_id`) or the CAIP-2 id the deposit routes use ("eip155:8453",
 * "solana:mainnet"), so a client can pass the same `chain` everywhere.
 */
import { badRequest } from "../domain/errors.js";

/** The family whose scheme signs the challenge, and the chain (id or cluster) for its resolveChain. */
export interface SignInTarget {
  family: "evm" | "solana";
  chain: unknown;
}

const CAIP2 = /^(eip155|solana):([A-Za-z0-9-]{1,32})$/;

/** Resolves `chain` (and `chain_id`, which must agree when both are given); a 400 names what is accepted. */
export function signInTarget(chain: string, chainId: unknown): SignInTarget {
  if (chain === "evm" || chain === "solana") return { family: chain, chain: chainId };
  const caip = CAIP2.exec(chain);
  if (!caip) {
    throw badRequest(`chain must be "evm", "solana" or a chain id such as "eip155:8453" or "solana:mainnet"; got ${JSON.stringify(chain)}`, { field: "chain" });
  }
  const family = caip[1] === "eip155" ? "evm" : "solana";
  const reference = family === "evm" ? Number(caip[2]) : chain;
  if (chainId !== undefined && chainId !== null && String(chainId) !== caip[2]) {
    throw badRequest(`chain ${chain} and chain_id ${String(chainId)} disagree; send one of them`, { field: "chain_id" });
  }
  return { family, chain: reference };
}
