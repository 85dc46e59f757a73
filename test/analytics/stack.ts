/**
 * The real app (auth, ledger, keys, chat routes, and the analytics/BYOK/metrics routes) on
 * port 0 with the chat stack built by the app itself, so the "generation settled" hook is the
 * production wiring. Upstream: a fake OpenAI server. Every fastify log line is captured.
 */
import { randomBytes } from "node:crypto";
import { Writable } from "node:stream";
import { sql } from "drizzle-orm";
import type { FastifyInstance } from "fastify";
import OpenAI from "openai";
import { queryRows } from "../../src/db/client.js";
import { buildKeyring } from "../../src/byok/master-keys.js";
import { startFakeOpenAI, type FakeUpstream } from "../support/fake-upstreams/index.js";
import { buildTestApp, createAccountViaAdmin, TEST_ADMIN_TOKEN, testConfig } from "../support/app.js";
import { createTestDatabase, type TestDatabase } from "../support/db.js";

export const PRICE = { prompt: "0.000000153", completion: "0.000000611" };

export interface Account {
  accountId: string;
  managementKey: string;
  keys: { key: string; id: string }[];
}

export interface Stack {
  url: string;
  app: FastifyInstance;
  alpha: FakeUpstream;
  database: TestDatabase;
  logs: string[];
  a: Account;
  b: Account;
  client(key: string, headers?: Record<string, string>): OpenAI;
  /** Waits until `count` generations have reached the rollups. */
  settled(count: number): Promise<void>;
  close(): Promise<void>;
}

async function openAccount(url: string, keyCount: number): Promise<Account> {
  const { accountId, managementKey } = await createAccountViaAdmin(url);
  const credit = await fetch(`${url}/api/v1/admin/accounts/${accountId}/credits`, {
    method: "POST",
    headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ amount_usd: "10", reason: "test funding" }),
  });
  if (!credit.ok) throw new Error(`funding failed: ${credit.status}`);
  const keys: Account["keys"] = [];
  for (let i = 0; i < keyCount; i += 1) {
    const created = await fetch(`${url}/api/v1/keys`, {
      method: "POST",
      headers: { authorization: `Bearer ${managementKey}`, "content-type": "application/json" },
      body: JSON.stringify({ name: `key ${i}` }),
    });
    const body = (await created.json()) as { key: string; data: { hash: string } };
    keys.push({ key: body.key, id: "" });
  }
  return { accountId, managementKey, keys };
}

export async function startStack(): Promise<Stack> {
  const alpha = await startFakeOpenAI();
  const config = testConfig({
    logLevel: "trace",
    fees: { credit_bps: 500, byok_bps: 100 },
    catalog: { include_default: false },
    providers: { alpha: { name: "Alpha", protocol: "openai", base_url: `${alpha.url}/v1`, headers: {}, api_key: "operator-alpha-key" } },
    models: [
      { id: "acme/chat", context_length: 100_000, max_completion_tokens: 1_000, endpoints: [{ provider: "alpha", model: "alpha-chat", pricing: PRICE }] },
      { id: "other/chat", context_length: 100_000, max_completion_tokens: 1_000, endpoints: [{ provider: "alpha", model: "alpha-other", pricing: PRICE }] },
    ],
  });
  const database = await createTestDatabase("pglite");
  const logs: string[] = [];
  const logStream = new Writable({
    write(chunk, _encoding, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const app = await buildTestApp(config, database, {
    byokKeyring: buildKeyring(randomBytes(32).toString("base64")),
    streamKeepAliveMs: 1_000,
    logStream,
  });
  const url = await app.listen({ port: 0, host: "127.0.0.1" });
  const a = await openAccount(url, 2);
  const b = await openAccount(url, 1);
  // key ids, as the ledger and rollups record them
  for (const account of [a, b]) {
    const rows = await queryRows<{ id: string; name: string }>(
      database.db,
      sql`select id, name from api_keys where account_id = ${account.accountId} and kind = 'inference' order by name`,
    );
    rows.forEach((row, i) => (account.keys[i]!.id = row.id));
  }
  return {
    url,
    app,
    alpha,
    database,
    logs,
    a,
    b,
    client: (key, headers = {}) => new OpenAI({ baseURL: `${url}/api/v1`, apiKey: key, maxRetries: 0, defaultHeaders: headers }),
    async settled(count) {
      for (let i = 0; i < 200; i += 1) {
        const [row] = await queryRows<{ n: string }>(database.db, sql`select coalesce(sum(requests), 0)::text as n from analytics_usage_daily where dimension = 'total'`);
        if (Number(row?.n) >= count) return;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      throw new Error(`only some of ${count} generations reached the rollups`);
    },
    async close() {
      await app.close();
      await alpha.close();
      await database.close();
    },
  };
}
