import type { Config } from "./schema.js";

/** What the process is running with, as one structured log line at start-up. */
export interface StartupSummary {
  address: string;
  database: string;
  models: { usable: number; total: number; examples: string[] };
  chains: string[];
  admin_api: "on" | "off";
  sign_in_domain: string;
  byok: "on" | "off";
  key_rate_limits: "on (Redis)" | "on (per process)";
  /** Pay per request: off, or the chains offered and who settles. */
  x402: string;
}

/** Where the data lives, without credentials: "PostgreSQL db.example:5432/farebox" or "PGlite in ./data". */
export function describeDatabase(config: Config): string {
  if (!config.databaseUrl) return `PGlite in ${config.dataDir}`;
  const url = new URL(config.databaseUrl);
  return `PostgreSQL ${url.hostname}:${url.port || "5432"}${url.pathname}`;
}

/**
 * The start-up summary: listening address, database, models a request can actually be served by
 * (those with at least one provider key), chains watched, whether the admin API, BYOK and per-key
 * rate limits are on, the sign-in domain, and x402. `usableModelIds` come from the built catalog.
 */
export function startupSummary(config: Config, address: string, usableModelIds: readonly string[], totalModels: number): StartupSummary {
  return {
    address,
    database: describeDatabase(config),
    models: { usable: usableModelIds.length, total: totalModels, examples: usableModelIds.slice(0, 5) },
    chains: [...config.chains.evm.map((chain) => `eip155:${chain.chain_id}`), ...(config.chains.solana ? ["solana:mainnet"] : [])],
    admin_api: config.adminToken ? "on" : "off",
    sign_in_domain: config.auth.domain,
    byok: config.byokMasterKey ? "on" : "off",
    key_rate_limits: config.redisUrl ? "on (Redis)" : "on (per process)",
    x402: config.x402.enabled ? `on (${config.x402.chains.join(", ")}; settled by ${x402Settler(config.x402)})` : "off",
  };
}

/** Who settles x402 payments: the facilitator, or the operator's keys for the chains offered (Solana needs its own). */
function x402Settler(x402: Config["x402"]): string {
  if (x402.facilitator_url) return `facilitator ${new URL(x402.facilitator_url).host}`;
  const keys = [
    ...(x402.chains.some((chain) => chain.startsWith("eip155:")) ? ["the EVM relayer key"] : []),
    ...(x402.chains.some((chain) => chain.startsWith("solana:")) ? ["the Solana fee payer"] : []),
  ];
  return keys.join(" and ");
}
