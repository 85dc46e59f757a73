/** The sign-in schemes enabled by config: SIWE always (chain ids from chains.evm, else mainnet). */
import type { PublicClient } from "viem";
import type { AuthConfig } from "../config/auth-schema.js";
import type { SignInScheme } from "./scheme.js";
import { createSiweScheme } from "./siwe-scheme.js";

/** Builds the EVM scheme; `evmClient` enables ERC-1271/6492 on configured chains. */
export function createEvmSignInScheme(auth: AuthConfig, evmChainIds: readonly number[], evmClient: (chainId: number) => PublicClient | undefined): SignInScheme {
  return createSiweScheme({
    site: { domain: auth.domain, uri: auth.uri, statement: auth.statement },
    chainIds: evmChainIds,
    challengeTtlMs: auth.challenge_ttl_s * 1000,
    clientFor: evmClient,
  });
}
