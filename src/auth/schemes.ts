/** The sign-in schemes enabled by config: SIWE (chain ids from chains.evm, else mainnet) and SIWS, always. */
import type { PublicClient } from "viem";
import type { AuthConfig } from "../config/auth-schema.js";
import type { SignInScheme } from "./scheme.js";
import { createSiweScheme } from "./siwe-scheme.js";
import { createSiwsScheme } from "./siws-scheme.js";

/** Builds the EVM scheme; `evmClient` enables ERC-1271/6492 on configured chains. */
export function createEvmSignInScheme(auth: AuthConfig, evmChainIds: readonly number[], evmClient: (chainId: number) => PublicClient | undefined): SignInScheme {
  return createSiweScheme({
    site: { domain: auth.domain, uri: auth.uri, statement: auth.statement },
    chainIds: evmChainIds,
    challengeTtlMs: auth.challenge_ttl_s * 1000,
    clientFor: evmClient,
  });
}

/** Builds the Solana scheme (SIWS); sign-in needs no RPC, so it is enabled whether or not Solana deposits are. */
export function createSolanaSignInScheme(auth: AuthConfig): SignInScheme {
  return createSiwsScheme({ domain: auth.domain, uri: auth.uri, statement: auth.statement, clusters: ["mainnet"] });
}
