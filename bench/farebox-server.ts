/**
 * farebox for the benchmark, in its own process: the real app on a fresh Postgres database
 * (created on BENCH_DATABASE_URL's server, dropped on exit), one model served by the fake
 * upstream given in UPSTREAM_URL, a funded account and an inference key. Prints
 * `{url, key}` as one JSON line when ready.
 */
import { buildApp } from "../src/app.js";
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
const database = await createTestDatabase("postgres", { maxConnections: 20 });
const app = await buildApp({ config, database });
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
