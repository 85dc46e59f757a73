/**
 * The `--chain` part of `npm run audit:ledger`: builds read clients for the configured EVM chains and
 * the Solana chain (the listener's own Connection) and reconciles their deposits with the ledger (see
 * chain-audit.ts). Kept apart from the CLI so the ledger audit and the chain audit each stay in their
 * own module.
 */
import type { Db } from "../db/client.js";
import type { EvmChainConfig, SolanaChainConfig } from "../config/chains-schema.js";
import { createSolanaConnection } from "../chains/solana/connection.js";
import { auditDepositsAgainstChains, type ChainAuditReport } from "./chain-audit.js";
import { createChainRuntime, withSolana } from "./runtime.js";
import { applyNativeEth, decideNativeEth } from "./evm-native-eth.js";

/** True when the command line asks for the chain audit. */
export function wantsChainAudit(argv: readonly string[]): boolean {
  return argv.includes("--chain");
}

/** Runs the chain audit over every configured EVM chain and the configured Solana chain, if any. */
export async function runChainAudit(
  db: Db,
  chains: { evm: readonly EvmChainConfig[]; solana: SolanaChainConfig | null },
  now: () => Date,
): Promise<ChainAuditReport> {
  const runtime = await withSolana(createChainRuntime(chains.evm, now), chains.solana, now);
  // ETH is re-read the way the listener reads it (receiver logs, traces or top-level), else contract payments would look missing.
  for (const chain of runtime.evm) applyNativeEth(chain, await decideNativeEth(chain.client, chain));
  const solana = runtime.solana;
  return auditDepositsAgainstChains(
    db,
    runtime.evm.map((chain) => ({ client: chain.client, watch: chain.watch })),
    {
      solana: solana && {
        chain: solana.description.chain,
        connection: createSolanaConnection({ rpcUrl: solana.config.rpc_url, commitment: solana.config.commitment }),
        scan: solana.scan,
      },
    },
  );
}
