/**
 * Wires the chat use case from the configuration and the database: the catalog (shipped list
 * merged with the config file), in-memory endpoint health, the provider adapters over one
 * undici pool, billing on the ledger and the generation log. Building it performs no I/O;
 * `close()` drains the gateway (every request's end written) and releases the upstream connections.
 */
import { LiveCatalog } from "../catalog/live-catalog.js";
import type { Config } from "../config/schema.js";
import type { Db } from "../db/client.js";
import { epochMs } from "../domain/clock.js";
import { createProviderRegistry, PROTOCOL_PARAMETERS, type ProviderRegistry } from "../providers/registry.js";
import type { UpstreamTimeouts } from "../providers/spec.js";
import { HealthTracker } from "../routing/health.js";
import { createChatGateway, type ChatGateway } from "../gateway/chat-gateway.js";
import { createGenerationStore } from "../gateway/generation-store.js";
import { createLedgerBilling } from "../gateway/ledger-billing.js";
import type { ByokKeys, GenerationStore, OnSettled } from "../gateway/ports.js";
import type { ByokStore } from "../byok/store.js";

/**
 * The chat use case's view of the BYOK store: the account's keys opened for one request, the
 * BYOK fee, and where a provider's refusal of a key is recorded (GET /api/v1/byok shows it).
 */
export function byokKeysFrom(store: ByokStore, feeBps: number): ByokKeys {
  return {
    keysFor: (accountId) => store.keysFor(accountId),
    feeBps,
    markRejected: (accountId, provider) => store.markUsed(accountId, provider, true),
  };
}

/** Upstream time limits used unless overridden. */
export const DEFAULT_UPSTREAM_TIMEOUTS: UpstreamTimeouts = { connectMs: 5_000, firstByteMs: 60_000, idleMs: 60_000 };

/**
 * The catalog for `config`: shipped models from the price database, overridden by the config
 * file, with each protocol's sendable parameters as endpoints' default supported_parameters.
 */
export function catalogFromConfig(config: Config): LiveCatalog {
  return new LiveCatalog({
    includeDefault: config.catalog.include_default,
    providers: config.providers,
    models: config.models,
    protocolParameters: PROTOCOL_PARAMETERS,
    ...(config.catalog.unknown_output_limit_tokens === undefined ? {} : { unknownOutputLimitTokens: config.catalog.unknown_output_limit_tokens }),
  });
}

/** The assembled chat stack. */
export interface ChatStack {
  catalog: LiveCatalog;
  health: HealthTracker;
  gateway: ChatGateway;
  generations: GenerationStore;
  close(): Promise<void>;
}

/** Optional overrides (tests pass a seeded random source, short timeouts or short delays). */
export interface ChatStackOptions {
  random?: () => number;
  timeouts?: UpstreamTimeouts;
  registry?: ProviderRegistry;
  holdTtlMs?: number;
  /** How long a finished request's charge waits to share its write with others (ms). */
  writeDelayMs?: number;
  /** How long a hold nobody reserves in stays open (ms). */
  leaseIdleMs?: number;
  onBackgroundError?: (error: unknown) => void;
  /** The "generation settled" port: every generation once its charge and record are written (rollups, metrics). */
  onSettled?: OnSettled;
  /** The accounts' own provider keys (BYOK). */
  byok?: ByokKeys;
  /** The catalog to serve (main.ts passes the one discovery updates); built from config when absent. */
  catalog?: LiveCatalog;
}

/** Builds the chat stack for `config` on `db`. */
export function createChatStack(config: Config, db: Db, clock: () => Date, options: ChatStackOptions = {}): ChatStack {
  const catalog = options.catalog ?? catalogFromConfig(config);
  const health = new HealthTracker();
  const registry = options.registry ?? createProviderRegistry();
  const billing = createLedgerBilling(db, {
    clock,
    ...(options.holdTtlMs !== undefined ? { holdTtlMs: options.holdTtlMs } : {}),
    ...(options.writeDelayMs !== undefined ? { writeDelayMs: options.writeDelayMs } : {}),
    ...(options.leaseIdleMs !== undefined ? { leaseIdleMs: options.leaseIdleMs } : {}),
    ...(options.onBackgroundError ? { onError: options.onBackgroundError } : {}),
  });
  const generations = createGenerationStore(db, billing);
  const gateway = createChatGateway({
    catalog,
    health,
    adapterFor: (protocol) => registry.get(protocol),
    billing,
    feeBps: config.fees.credit_bps,
    ...(options.byok ? { byok: options.byok } : {}),
    timeouts: options.timeouts ?? DEFAULT_UPSTREAM_TIMEOUTS,
    nowMs: epochMs(clock),
    ...(options.random ? { random: options.random } : {}),
    ...(options.onSettled ? { onSettled: options.onSettled } : {}),
    ...(options.onBackgroundError ? { onBackgroundError: options.onBackgroundError } : {}),
  });
  return {
    catalog,
    health,
    gateway,
    generations,
    async close() {
      await gateway.drain();
      await registry.close();
    },
  };
}
