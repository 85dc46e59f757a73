/**
 * kill -9 under load: a gateway process dies with requests in flight and charges not yet
 * written. Its leases must be freed within a minute (here: within the short hold TTL this test
 * configures plus an expiry pass), and the requests it answered but never charged must be only
 * those of its last write window — measured here, documented in the README.
 */
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { performance } from "node:perf_hooks";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/client.js";
import { auditLedger, expireHolds, getBalance } from "../../src/ledger/index.js";
import { createAccountViaAdmin, TEST_ADMIN_TOKEN } from "../support/app.js";
import { createTestDatabase, type TestDatabase } from "../support/db.js";
import { startFakeOpenAI, type FakeUpstream } from "../support/fake-upstreams/index.js";
import { spawnGateway } from "../support/spawn-gateway.js";

const HOLD_TTL_MS = 3_000;
const CLIENTS = 16;
const LOAD_MS = 4_000;

function startGateway(databaseUrl: string, upstreamUrl: string) {
  return spawnGateway({ DATABASE_URL: databaseUrl, UPSTREAM_URL: upstreamUrl, HOLD_TTL_MS: String(HOLD_TTL_MS), ADMIN_TOKEN: TEST_ADMIN_TOKEN });
}

describe.skipIf(!process.env.TEST_DATABASE_URL)("a gateway process killed with SIGKILL under load", () => {
  let database: TestDatabase;
  let upstream: FakeUpstream;
  let child: ChildProcessWithoutNullStreams | undefined;
  beforeAll(async () => {
    database = await createTestDatabase("postgres");
    upstream = await startFakeOpenAI({ script: { text: "Hi there", usage: { prompt: 10, completion: 5 }, firstByteDelayMs: 5 } });
  });
  afterAll(async () => {
    child?.kill("SIGKILL");
    await upstream?.close();
    await database?.close();
  });

  it("leaves its leases to the expiry worker within the hold TTL, and unbilled only its last write window", { timeout: 120_000 }, async () => {
    const gateway = startGateway(database.url!, upstream.url);
    child = gateway.child;
    const url = await gateway.url;
    const { accountId, managementKey } = await createAccountViaAdmin(url);
    const funded = await fetch(`${url}/api/v1/admin/accounts/${accountId}/credits`, {
      method: "POST",
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ amount_usd: "10", reason: "test funding" }),
    });
    expect(funded.status).toBeLessThan(300);
    const created = await fetch(`${url}/api/v1/keys`, {
      method: "POST",
      headers: { authorization: `Bearer ${managementKey}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "load" }),
    });
    const { key } = (await created.json()) as { key: string };

    // CLIENTS clients call in a loop until the process is gone
    const answered: { id: string; at: number }[] = [];
    const client = async () => {
      for (;;) {
        try {
          const response = await fetch(`${url}/api/v1/chat/completions`, {
            method: "POST",
            headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
            body: JSON.stringify({ model: "test/chat", messages: [{ role: "user", content: "Hello" }], max_tokens: 20 }),
          });
          const body = await response.text();
          if (response.status === 200) answered.push({ id: response.headers.get("x-generation-id")!, at: performance.now() });
          else throw new Error(`status ${response.status}: ${body}`);
        } catch (error) {
          if (!child?.killed) throw error;
          return;
        }
      }
    };
    const clients = Array.from({ length: CLIENTS }, client);
    await new Promise((resolve) => setTimeout(resolve, LOAD_MS));
    const exited = new Promise((resolve) => child!.on("exit", resolve));
    child.kill("SIGKILL");
    const killedAt = performance.now();
    await exited;
    await Promise.all(clients);

    const openHolds = async () =>
      Number((await queryRows<{ n: string }>(database.db, sql`select count(*)::text as n from holds where status = 'open'`))[0]!.n);
    expect(await openHolds()).toBeGreaterThan(0);
    // the live process renewed its leases: a hold of it outlived the TTL it was placed with
    const [renewed] = await queryRows<{ n: string }>(
      database.db,
      sql`select count(*)::text as n from holds where account_id = ${accountId} and expires_at > created_at + ${`${HOLD_TTL_MS} milliseconds`}::interval`,
    );
    expect(Number(renewed!.n)).toBeGreaterThan(0);

    // the expiry worker of a surviving process: a pass every 250 ms
    let freedAfterMs = 0;
    for (;;) {
      await expireHolds(database.db, new Date());
      if ((await openHolds()) === 0) {
        freedAfterMs = performance.now() - killedAt;
        break;
      }
      expect(performance.now() - killedAt).toBeLessThan(60_000);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(freedAfterMs).toBeLessThan(HOLD_TTL_MS + 1_000);
    expect(await getBalance(database.db, accountId)).toMatchObject({ heldNano: 0n });

    // served but never charged: only requests answered in the last moments before the kill
    const charged = new Set(
      (
        await queryRows<{ id: string }>(
          database.db,
          sql`select distinct metadata->>'generation_id' as id from ledger_entries where account_id = ${accountId} and kind in ('usage', 'fee')`,
        )
      ).map((row) => row.id),
    );
    const unbilled = answered.filter((request) => !charged.has(request.id));
    // how long before the kill each unbilled answer reached its client (negative: read after the kill)
    const ages = unbilled.map((request) => Math.round(killedAt - request.at));
    console.log(
      `kill -9 after ${LOAD_MS} ms of ${CLIENTS} clients: ${answered.length} answered, ${unbilled.length} never charged ` +
        `${ages.length > 0 ? `(received ${Math.min(...ages)}…${Math.max(...ages)} ms before the kill)` : ""}; leases freed ${Math.round(freedAfterMs)} ms after it`,
    );
    expect(answered.length).toBeGreaterThan(30);
    expect(Math.max(0, ...ages)).toBeLessThan(500);
    expect((await auditLedger(database.db)).problems).toEqual([]);
  });
});
