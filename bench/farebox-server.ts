/**
 * farebox for the benchmark, in its own process: the real app on a fresh Postgres database
 * (created on BENCH_DATABASE_URL's server, dropped on exit), one model served by the fake
 * upstream given in UPSTREAM_URL, a funded account and an inference key. Prints
 * `{url, key}` as one JSON line when ready.
 */
import { sql } from "drizzle-orm";
import { buildApp } from "../src/app.js";
import { buildServices } from "../src/wiring/services.js";
import { createDb } from "../src/db/client.js";
import { MetricsRegistry } from "../src/metrics/registry.js";
import { createAccountViaAdmin, TEST_ADMIN_TOKEN, testConfig } from "../test/support/app.js";
import { createTestDatabase } from "../test/support/db.js";

const upstream = process.env.UPSTREAM_URL;
if (!upstream) throw new Error("UPSTREAM_URL is required");
process.env.TEST_DATABASE_URL = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

const config = testConfig({
  catalog: { include_default: false },
  providers: { bench: { name: "Bench", protocol: "openai", base_url: `${upstream}/v1`, api_key: "bench", headers: {} } },
  models: [
    {
      id: "bench/model",
      context_length: 32_000,
      max_completion_tokens: 256,
      endpoints: [{ provider: "bench", model: "bench-model", pricing: { prompt: "0.000001", completion: "0.000002" } }],
    },
  ],
});
const testDatabase = await createTestDatabase("postgres", { maxConnections: 20 });
let database: typeof testDatabase = testDatabase;
if (process.env.BENCH_SYNC_COMMIT === "off") {
  // Operator-level Postgres setting: commits return before their WAL is flushed to disk.
  const name = new URL(testDatabase.url!).pathname.slice(1);
  await testDatabase.db.execute(sql.raw(`alter database ${name} set synchronous_commit = off`));
  const reopened = await createDb({ databaseUrl: testDatabase.url, maxConnections: 20 });
  database = { ...testDatabase, ...reopened, close: async () => { await reopened.close(); await testDatabase.close(); } };
}
// process metrics on, as main.ts runs them
const app = await buildApp({ services: buildServices(config, database, { metrics: new MetricsRegistry({ processMetrics: true }) }) });
const url = await app.listen({ port: 0, host: "127.0.0.1" });
const { accountId, managementKey } = await createAccountViaAdmin(url);
const post = (path: string, token: string, body: unknown) =>
  fetch(`${url}${path}`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify(body) });
await post(`/api/v1/admin/accounts/${accountId}/credits`, TEST_ADMIN_TOKEN, { amount_usd: "1000000", reason: "benchmark" });
const { key } = (await (await post("/api/v1/keys", managementKey, { name: "bench" })).json()) as { key: string };
process.stdout.write(`${JSON.stringify({ url, key })}\n`);

const stop = async () => {
  await app.close();
  await database.close();
  process.exit(0);
};
process.on("SIGTERM", () => void stop());
