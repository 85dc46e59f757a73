/**
 * A running farebox for chat tests: the real app (auth, ledger, keys, chat routes) on port 0
 * over a fresh database, with its catalog pointing at two fake OpenAI-wire upstreams. An
 * account is funded through the admin API and called with a real inference key by the `openai`
 * SDK. Load balancing uses a fixed random source, so the cheapest endpoint leads.
 *
 * With `byok`, a master key is configured (accounts can store their own provider keys) and a
 * third fake upstream, provider `gamma`, is configured WITHOUT an operator key, serving
 * `test/gamma-only`: only an account that stored its own gamma key can reach it.
 */
import type { FastifyInstance } from "fastify";
import OpenAI from "openai";
import { sql } from "drizzle-orm";
import { randomBytes } from "node:crypto";
import { buildApp } from "../../src/app.js";
import { buildKeyring } from "../../src/byok/master-keys.js";
import { queryRows } from "../../src/db/client.js";
import type { ChatStack } from "../../src/wiring/chat-stack.js";
import { buildServices } from "../../src/wiring/services.js";
import { auditLedger, getBalance } from "../../src/ledger/index.js";
import { startFakeOpenAI, type FakeUpstream } from "../support/fake-upstreams/index.js";
import { createAccountViaAdmin, TEST_ADMIN_TOKEN, testConfig } from "../support/app.js";
import type { Config } from "../../src/config/schema.js";
import { createTestDatabase, type DbKind, type TestDatabase } from "../support/db.js";

export const FEE_BPS = 500;

/** Prices (USD per token) chosen so rounding matters: $0.153 and $0.611 per million. */
export const ALPHA_PRICE = { prompt: "0.000000153", completion: "0.000000611" };
export const BETA_PRICE = { prompt: "0.000001", completion: "0.000002" };

export interface Harness {
  url: string;
  app: FastifyInstance;
  database: TestDatabase;
  alpha: FakeUpstream;
  beta: FakeUpstream;
  /** Provider `gamma` (no operator key); started only with `byok`. */
  gamma: FakeUpstream | undefined;
  chat: ChatStack;
  accountId: string;
  key: string;
  managementKey: string;
  client(options?: { apiKey?: string }): OpenAI;
  balanceNano(): Promise<bigint>;
  openHolds(): Promise<number>;
  /** Waits for background settlement, then runs the ledger audit. */
  settledAudit(): Promise<{ ok: boolean; problems: string[] }>;
  close(): Promise<void>;
}

const provider = (name: string, url: string, apiKey?: string) => ({
  name,
  protocol: "openai" as const,
  base_url: `${url}/v1`,
  headers: {},
  ...(apiKey ? { api_key: apiKey } : {}),
});

export interface HarnessOptions {
  kind?: DbKind;
  /** Funds the test account ("0": the account is left with no balance at all). */
  balanceUsd?: string;
  keepAliveMs?: number;
  /** Enables bring-your-own-key with this fees.byok_bps, and adds provider `gamma` without an operator key. */
  byok?: { feeBps: number };
  /** More providers (e.g. fake Anthropic or Gemini upstreams the test started) and models, added to the catalog. */
  extraProviders?: NonNullable<Config["providers"]>;
  extraModels?: NonNullable<Config["models"]>;
  /** Ships the price database's models too (catalog.include_default); off by default. */
  includeDefault?: boolean;
  /** catalog.unknown_output_limit_tokens */
  unknownOutputLimitTokens?: number;
}

/** Starts everything; `balanceUsd` funds the test account. */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const alpha = await startFakeOpenAI();
  const beta = await startFakeOpenAI();
  const gamma = options.byok ? await startFakeOpenAI() : undefined;
  const config = testConfig({
    fees: { credit_bps: FEE_BPS, byok_bps: options.byok?.feeBps ?? 0 },
    catalog: {
      include_default: options.includeDefault ?? false,
      ...(options.unknownOutputLimitTokens === undefined ? {} : { unknown_output_limit_tokens: options.unknownOutputLimitTokens }),
    },
    providers: {
      alpha: provider("Alpha", alpha.url, "alpha-key"),
      beta: provider("Beta", beta.url, "beta-key"),
      unset: provider("Unset", "http://127.0.0.1:9"),
      ...(gamma ? { gamma: provider("Gamma", gamma.url) } : {}),
      ...options.extraProviders,
    },
    models: [
      {
        id: "test/chat",
        context_length: 100_000,
        max_completion_tokens: 1_000,
        supported_parameters: ["tools", "tool_choice", "temperature", "max_tokens", "response_format", "user"],
        endpoints: [
          { provider: "alpha", model: "alpha-chat", pricing: ALPHA_PRICE },
          { provider: "beta", model: "beta-chat", pricing: BETA_PRICE },
        ],
      },
      {
        id: "test/alpha-only",
        context_length: 8_192,
        max_completion_tokens: 1_000,
        // declared without tools, so auto routing has a model that cannot take them
        supported_parameters: ["max_tokens", "temperature", "top_p", "stop"],
        endpoints: [{ provider: "alpha", model: "alpha-only", pricing: ALPHA_PRICE }],
      },
      { id: "test/backup", context_length: 8_192, max_completion_tokens: 1_000, endpoints: [{ provider: "beta", model: "beta-backup", pricing: BETA_PRICE }] },
      { id: "test/unconfigured", context_length: 8_192, endpoints: [{ provider: "unset", model: "x", pricing: ALPHA_PRICE }] },
      ...(gamma
        ? [{ id: "test/gamma-only", context_length: 8_192, max_completion_tokens: 1_000, endpoints: [{ provider: "gamma", model: "gamma-chat", pricing: BETA_PRICE }] }]
        : []),
      ...(options.extraModels ?? []),
    ],
  });
  const database = await createTestDatabase(options.kind ?? "pglite");
  const byokKeyring = options.byok ? buildKeyring(randomBytes(32).toString("hex")) : undefined;
  const services = await buildServices(config, database, {
    ...(byokKeyring ? { byokKeyring } : {}),
    rollupFlushMs: 5,
    chat: {
      random: () => 0,
      timeouts: { connectMs: 2_000, firstByteMs: 5_000, idleMs: 5_000 },
      onBackgroundError: (error) => console.error("background", error),
    },
  });
  const { chat } = services;
  const app = await buildApp({ services, streamKeepAliveMs: options.keepAliveMs ?? 1_000 });
  const url = await app.listen({ port: 0, host: "127.0.0.1" });
  const { accountId, managementKey } = await createAccountViaAdmin(url);
  if (options.balanceUsd !== "0") {
    const credit = await fetch(`${url}/api/v1/admin/accounts/${accountId}/credits`, {
      method: "POST",
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ amount_usd: options.balanceUsd ?? "10", reason: "test funding" }),
    });
    if (!credit.ok) throw new Error(`funding failed: ${credit.status} ${await credit.text()}`);
  }
  const created = await fetch(`${url}/api/v1/keys`, {
    method: "POST",
    headers: { authorization: `Bearer ${managementKey}`, "content-type": "application/json" },
    body: JSON.stringify({ name: "chat tests" }),
  });
  const { key } = (await created.json()) as { key: string };
  return {
    url,
    app,
    database,
    alpha,
    beta,
    gamma,
    chat,
    accountId,
    key,
    managementKey,
    client: (clientOptions = {}) => new OpenAI({ baseURL: `${url}/api/v1`, apiKey: clientOptions.apiKey ?? key, maxRetries: 0 }),
    balanceNano: async () => (await getBalance(database.db, accountId))!.balanceNano,
    openHolds: async () =>
      Number((await queryRows<{ n: string }>(database.db, sql`select count(*)::text as n from holds where status = 'open'`))[0]!.n),
    async settledAudit() {
      await chat.gateway.drain();
      const report = await auditLedger(database.db);
      return { ok: report.ok, problems: report.problems };
    },
    async close() {
      await app.close();
      await database.close();
      await Promise.all([alpha.close(), beta.close(), gamma?.close()]);
    },
  };
}
