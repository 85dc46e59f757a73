/**
 * The `--chain` part of `npm run audit:ledger`: builds read clients for the configured EVM chains and
 * reconciles their deposits with the ledger (see chain-audit.ts). Kept apart from the CLI so the ledger
 * audit and the chain audit each stay in their own module.
 */
import type { Db } from "../db/client.js";
import type { EvmChainConfig } from "../config/chains-schema.js";
import { auditDepositsAgainstChains, type ChainAuditReport } from "./chain-audit.js";
import { createChainRuntime } from "./runtime.js";

/** True when the command line asks for the chain audit. */
export function wantsChainAudit(argv: readonly string[]): boolean {
  return argv.includes("--chain");
}

/** Runs the chain audit over every configured EVM chain. */
export async function runChainAudit(db: Db, evmChains: readonly EvmChainConfig[], now: () => Date): Promise<ChainAuditReport> {
  const runtime = createChainRuntime(evmChains, now);
  return auditDepositsAgainstChains(
    db,
    runtime.evm.map((chain) => ({ client: chain.client, watch: chain.watch })),
  );
}
