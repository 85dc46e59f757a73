import type { Config } from "../../config/schema.js";
import { createEvmSignInScheme, createSolanaSignInScheme } from "../../auth/schemes.js";
import type { SignInScheme } from "../../auth/scheme.js";
import type { DepositChain } from "../../deposits/deposit-chain.js";
import type { ChainRuntime } from "../../deposits/runtime.js";

/** What the wallet sign-in and deposit routes need beyond the common route deps. */
export interface WalletRouteDeps {
  schemes: SignInScheme[];
  depositChains: DepositChain[];
  challengeTtlMs: number;
  /** Unexpired sign-in challenges kept at most (server.max_open_sign_in_challenges). */
  maxOpenChallenges: number;
  sessionTtlMs: number;
  intentTtlMs: number;
}

/**
 * Assembles the wallet route deps from config and the chain runtime. `extraSchemes` and `extraChains`
 * let other wallet families (Solana) join without changing the routes.
 */
export function walletRouteDeps(config: Config, chains: ChainRuntime, extraSchemes: SignInScheme[] = [], extraChains: DepositChain[] = []): WalletRouteDeps {
  const evmScheme = createEvmSignInScheme(
    config.auth,
    config.chains.evm.map((c) => c.chain_id),
    (chainId) => chains.evmClient(chainId),
  );
  return {
    schemes: [evmScheme, createSolanaSignInScheme(config.auth), ...extraSchemes],
    depositChains: [...chains.depositChains, ...extraChains],
    challengeTtlMs: config.auth.challenge_ttl_s * 1000,
    maxOpenChallenges: config.server.max_open_sign_in_challenges,
    sessionTtlMs: config.auth.session_ttl_s * 1000,
    intentTtlMs: config.auth.intent_ttl_s * 1000,
  };
}
