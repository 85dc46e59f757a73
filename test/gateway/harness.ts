/**
 * A running farebox chat stack for tests: fastify with the chat/models/generation routes on
 * port 0, the real OpenAI-compatible adapter over undici, fake upstreams speaking OpenAI's wire
 * format, and billing on the ledger. Clients are the real `openai` SDK.
 */
import Fastify, { type FastifyInstance } from "fastify";
import OpenAI from "openai";
import { buildCatalog } from "../../src/catalog/build-catalog.js";
import type { Catalog } from "../../src/catalog/types.js";
import { AppError, unauthorized } from "../../src/domain/errors.js";
import { createChatGateway, type ChatGateway } from "../../src/gateway/chat-gateway.js";
import type { Billing, Caller, GenerationStore } from "../../src/gateway/ports.js";
import { registerChatRoutes } from "../../src/http/routes/chat-completions.js";
import { registerGenerationRoutes } from "../../src/http/routes/generation.js";
import { registerModelRoutes } from "../../src/http/routes/models.js";
import { createOpenAICompatibleAdapter } from "../../src/providers/openai-compatible/adapter.js";
import { createUpstreamHttp } from "../../src/providers/shared/upstream-http.js";
import { HealthTracker } from "../../src/routing/health.js";
import { startFakeOpenAI, type FakeUpstream } from "../support/fake-upstreams/index.js";
import { createMemoryLedger, type MemoryLedger } from "./memory-ledger.js";

export const KEY = "sk-fb-v1-test";
export const FEE_BPS = 500;

/** Prices (USD per token) chosen so rounding matters: $0.153 and $0.611 per million. */
export const ALPHA_PRICE = { prompt: "0.000000153", completion: "0.000000611" };
export const BETA_PRICE = { prompt: "0.000001", completion: "0.000002" };

export interface Harness {
  url: string;
  app: FastifyInstance;
  alpha: FakeUpstream;
  beta: FakeUpstream;
  catalog: Catalog;
  health: HealthTracker;
  gateway: ChatGateway;
  ledger: MemoryLedger;
  generations: GenerationStore;
  accountId: string;
  client(options?: { apiKey?: string; maxRetries?: number }): OpenAI;
  close(): Promise<void>;
}

/** Starts everything; `balanceUsd` funds the test account. */
export async function startHarness(options: { balanceUsd?: string; keepAliveMs?: number } = {}): Promise<Harness> {
  const alpha = await startFakeOpenAI();
  const beta = await startFakeOpenAI();
  const catalog = buildCatalog({
    includeDefault: false,
    providers: {
      alpha: { name: "Alpha", protocol: "openai", base_url: `${alpha.url}/v1`, api_key: "alpha-key" },
      beta: { name: "Beta", protocol: "openai", base_url: `${beta.url}/v1`, api_key: "beta-key" },
      unset: { name: "Unset", protocol: "openai", base_url: "http://127.0.0.1:9/v1" },
    },
    models: [
      {
        id: "test/chat",
        context_length: 100_000,
        max_completion_tokens: 1_000,
        supported_parameters: ["tools", "tool_choice", "temperature", "max_tokens", "response_format"],
        endpoints: [
          { provider: "alpha", model: "alpha-chat", pricing: ALPHA_PRICE },
          { provider: "beta", model: "beta-chat", pricing: BETA_PRICE },
        ],
      },
      { id: "test/alpha-only", max_completion_tokens: 1_000, endpoints: [{ provider: "alpha", model: "alpha-only", pricing: ALPHA_PRICE }] },
      { id: "test/backup", max_completion_tokens: 1_000, endpoints: [{ provider: "beta", model: "beta-backup", pricing: BETA_PRICE }] },
      { id: "test/unconfigured", endpoints: [{ provider: "unset", model: "x", pricing: ALPHA_PRICE }] },
    ],
  });
  const ledger = createMemoryLedger();
  const accountId = ledger.createAccount(options.balanceUsd ?? "10");
  const health = new HealthTracker();
  const http = createUpstreamHttp();
  const adapter = createOpenAICompatibleAdapter(http);
  const billing: Billing = ledger.billing;
  const generations = ledger.generations;
  const gateway = createChatGateway({
    catalog,
    health,
    adapterFor: (protocol) => (protocol === "openai" ? adapter : undefined),
    billing,
    generations,
    feeBps: FEE_BPS,
    timeouts: { connectMs: 2_000, firstByteMs: 5_000, idleMs: 5_000 },
    random: () => 0,
    onBackgroundError: (error) => console.error("background", error),
  });
  const authenticate = async (request: { headers: Record<string, unknown> }): Promise<Caller> => {
    const header = request.headers.authorization;
    if (header !== `Bearer ${KEY}`) throw unauthorized(header ? "Invalid API key." : "Missing Authentication header");
    return { accountId, keyId: "key_test" };
  };
  const app = Fastify();
  app.setErrorHandler((error, _request, reply) => {
    if (error instanceof AppError) return reply.status(error.httpStatus).send(error.toEnvelope());
    const status = (error as { statusCode?: number }).statusCode ?? 500;
    return reply.status(status).send({ error: { code: status, message: (error as Error).message, metadata: {} } });
  });
  registerChatRoutes(app, { gateway, authenticate, keepAliveMs: options.keepAliveMs ?? 1_000 });
  registerModelRoutes(app, { catalog, health });
  registerGenerationRoutes(app, { generations, authenticate });
  const url = await app.listen({ port: 0, host: "127.0.0.1" });
  return {
    url,
    app,
    alpha,
    beta,
    catalog,
    health,
    gateway,
    ledger,
    generations,
    accountId,
    client: (clientOptions = {}) =>
      new OpenAI({ baseURL: `${url}/api/v1`, apiKey: clientOptions.apiKey ?? KEY, maxRetries: clientOptions.maxRetries ?? 0 }),
    async close() {
      await app.close();
      await Promise.all([alpha.close(), beta.close()]);
      await http.close();
    },
  };
}
