/**
 * A running farebox stack with analytics: the chat gateway (real OpenAI-compatible adapter,
 * fake upstreams, the in-memory ledger) whose generation store is wrapped by the "generation
 * settled" hook feeding rollups in PGlite and the metrics registry; plus the activity,
 * rankings, metrics and BYOK routes. Every log line fastify writes is captured.
 */
import { randomBytes } from "node:crypto";
import { Writable } from "node:stream";
import Fastify, { type FastifyInstance } from "fastify";
import OpenAI from "openai";
import { recordSettled } from "../../src/analytics/rollup-store.js";
import { withSettledHook } from "../../src/analytics/settled-hook.js";
import { buildKeyring } from "../../src/byok/master-keys.js";
import { ByokStore } from "../../src/byok/store.js";
import { KeyVault } from "../../src/byok/vault.js";
import { buildCatalog } from "../../src/catalog/build-catalog.js";
import { AppError, unauthorized } from "../../src/domain/errors.js";
import { createChatGateway, type ChatGateway } from "../../src/gateway/chat-gateway.js";
import type { Caller } from "../../src/gateway/ports.js";
import { registerAnalyticsRoutes } from "../../src/http/routes/analytics.js";
import { registerByokRoutes } from "../../src/http/routes/byok.js";
import { registerChatRoutes } from "../../src/http/routes/chat-completions.js";
import { registerMetricsRoute } from "../../src/http/routes/metrics.js";
import { FareboxMetrics } from "../../src/metrics/farebox-metrics.js";
import { MetricsRegistry } from "../../src/metrics/registry.js";
import { createOpenAICompatibleAdapter } from "../../src/providers/openai-compatible/adapter.js";
import { createUpstreamHttp } from "../../src/providers/shared/upstream-http.js";
import { HealthTracker } from "../../src/routing/health.js";
import { createMemoryLedger, type MemoryLedger } from "../gateway/memory-ledger.js";
import { startFakeOpenAI, type FakeUpstream } from "../support/fake-upstreams/index.js";
import { createTestDatabase, type TestDatabase } from "../support/db.js";

export const PRICE = { prompt: "0.000000153", completion: "0.000000611" };

export interface Stack {
  url: string;
  app: FastifyInstance;
  alpha: FakeUpstream;
  gateway: ChatGateway;
  ledger: MemoryLedger;
  db: TestDatabase;
  byok: ByokStore;
  logs: string[];
  /** API keys by name → caller; each account has its own keys. */
  keys: Record<string, Caller>;
  client(key: string, headers?: Record<string, string>): OpenAI;
  close(): Promise<void>;
}

export async function startStack(): Promise<Stack> {
  const alpha = await startFakeOpenAI();
  const catalog = buildCatalog({
    includeDefault: false,
    providers: { alpha: { name: "Alpha", protocol: "openai", base_url: `${alpha.url}/v1`, api_key: "operator-alpha-key" } },
    models: [
      { id: "acme/chat", max_completion_tokens: 1_000, endpoints: [{ provider: "alpha", model: "alpha-chat", pricing: PRICE }] },
      { id: "other/chat", max_completion_tokens: 1_000, endpoints: [{ provider: "alpha", model: "alpha-other", pricing: PRICE }] },
    ],
  });
  const db = await createTestDatabase("pglite");
  const ledger = createMemoryLedger();
  const accountA = ledger.createAccount("10");
  const accountB = ledger.createAccount("10");
  const keys: Record<string, Caller> = {
    "sk-a-1": { accountId: accountA, keyId: "key_a1" },
    "sk-a-2": { accountId: accountA, keyId: "key_a2" },
    "sk-b-1": { accountId: accountB, keyId: "key_b1" },
  };
  const registry = new MetricsRegistry();
  const metrics = new FareboxMetrics(registry, {
    openHolds: async () => ({ count: 0, amountNano: 0n }),
    ledgerTotals: async () => {
      const totals = new Map<string, bigint>();
      for (const e of ledger.entries) totals.set(e.kind, (totals.get(e.kind) ?? 0n) + e.amountNano);
      return [...totals].map(([kind, amountNano]) => ({ kind, amountNano }));
    },
  });
  const generations = withSettledHook(
    ledger.generations,
    async (generation) => {
      metrics.recordGeneration(generation);
      await recordSettled(db.db, [generation]);
    },
    (error) => console.error("settled hook", error),
  );
  const http = createUpstreamHttp();
  const adapter = createOpenAICompatibleAdapter(http);
  const gateway = createChatGateway({
    catalog,
    health: new HealthTracker(),
    adapterFor: (protocol) => (protocol === "openai" ? adapter : undefined),
    billing: ledger.billing,
    generations,
    feeBps: 500,
    timeouts: { connectMs: 2_000, firstByteMs: 5_000, idleMs: 5_000 },
    random: () => 0,
    onBackgroundError: (error) => console.error("background", error),
  });
  const authenticate = async (request: { headers: Record<string, unknown> }): Promise<Caller> => {
    const header = String(request.headers.authorization ?? "");
    const caller = keys[header.replace(/^Bearer /, "")];
    if (!caller) throw unauthorized(header ? "Invalid API key." : "Missing Authentication header");
    return caller;
  };
  const logs: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const app = Fastify({ logger: { level: "trace", stream } });
  app.setErrorHandler((error, request, reply) => {
    request.log.error({ err: error }, "request failed");
    if (error instanceof AppError) return reply.status(error.httpStatus).send(error.toEnvelope());
    const status = (error as { statusCode?: number }).statusCode ?? 500;
    return reply.status(status).send({ error: { code: status, message: (error as Error).message, metadata: {} } });
  });
  const byok = new ByokStore(db.db, new KeyVault(buildKeyring(randomBytes(32).toString("base64"))));
  registerChatRoutes(app, { gateway, authenticate, keepAliveMs: 1_000 });
  registerAnalyticsRoutes(app, { db: db.db, authenticate, rankingsCacheMs: 0 });
  registerByokRoutes(app, { store: byok, authenticate, isKnownProvider: (slug) => catalog.providers.has(slug) });
  registerMetricsRoute(app, { registry });
  const url = await app.listen({ port: 0, host: "127.0.0.1" });
  return {
    url,
    app,
    alpha,
    gateway,
    ledger,
    db,
    byok,
    logs,
    keys,
    client: (key, headers = {}) => new OpenAI({ baseURL: `${url}/api/v1`, apiKey: key, maxRetries: 0, defaultHeaders: headers }),
    async close() {
      await app.close();
      await alpha.close();
      await http.close();
      await db.close();
    },
  };
}
