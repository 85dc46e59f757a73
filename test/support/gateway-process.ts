/**
 * A gateway process for tests that kill one: the real app on Postgres (DATABASE_URL) with one
 * OpenAI-wire upstream (UPSTREAM_URL) serving `test/chat`, leases renewed on a short hold TTL
 * (HOLD_TTL_MS), the admin API on (ADMIN_TOKEN), and any further config sections as JSON (EXTRA_CONFIG, e.g.
 * `chains` and `x402`). Prints {"url": …} once listening. Run with
 * `node --import tsx test/support/gateway-process.ts`; stop it with a signal.
 */
import { buildApp } from "../../src/app.js";
import { loadConfig } from "../../src/config/load.js";
import type { Config } from "../../src/config/schema.js";
import { createDb } from "../../src/db/client.js";
import { buildServices } from "../../src/wiring/services.js";

const env = process.env;
const overrides: Partial<Config> = {
  fees: { credit_bps: 500, byok_bps: 0 },
  catalog: { include_default: false },
  providers: { alpha: { name: "Alpha", protocol: "openai", base_url: `${env.UPSTREAM_URL}/v1`, headers: {}, api_key: "alpha-key" } },
  models: [
    {
      id: "test/chat",
      context_length: 100_000,
      max_completion_tokens: 1_000,
      endpoints: [{ provider: "alpha", model: "alpha-chat", pricing: { prompt: "0.000001", completion: "0.000002" } }],
    },
  ],
};
const extra = (env.EXTRA_CONFIG ? JSON.parse(env.EXTRA_CONFIG) : {}) as Partial<Config>;
const config: Config = { ...loadConfig({ LOG_LEVEL: "silent", FAREBOX_ADMIN_TOKEN: env.ADMIN_TOKEN }), ...overrides, ...extra };
const database = await createDb({ databaseUrl: env.DATABASE_URL, maxConnections: 5 });
const app = await buildApp({ services: await buildServices(config, database, { chat: { holdTtlMs: Number(env.HOLD_TTL_MS ?? 60_000) } }) });
const url = await app.listen({ port: 0, host: "127.0.0.1" });
process.stdout.write(`${JSON.stringify({ url })}\n`);
