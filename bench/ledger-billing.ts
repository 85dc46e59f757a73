/**
 * What billing costs Postgres and the client per request, without HTTP in the way (npm run
 * bench:ledger): the gateway's own ledger billing (createLedgerBilling: shared holds, the batch
 * writer, generation records) on a fresh PostgreSQL database, fed BENCH_LEDGER_RATE requests/s
 * (default 500) for BENCH_LEDGER_DURATION_MS (10,000), each reserving a worst case and concluding
 * with a realistic charge and record, for BENCH_LEDGER_ROUNDS rounds (2). Prints per request the
 * CPU of the database's backends and of this process (from /proc; they hold on a busy machine),
 * and the transactions and rows written (database-stats.ts). BENCH_LEDGER_ENTRIES (0) gives the
 * account that many past ledger entries first. BENCH_LEDGER_BATCH=n measures the batch writer's
 * statement alone instead, deterministically: the same number of requests as a round, written n
 * to a statement back to back on one lease (what a batch costs does not then depend on how late
 * a timer fired on a busy machine).
 */
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { createDb } from "../src/db/client.js";
import { newGenerationId } from "../src/domain/ids.js";
import { createLedgerBilling } from "../src/gateway/ledger-billing.js";
import type { Caller } from "../src/gateway/ports.js";
import { insertGenerations } from "../src/gateway/generation-rows.js";
import { createAccount, endHolds, placeHold, postEntry } from "../src/ledger/index.js";
import { generationRecord } from "../test/support/generation-record.js";
import { databaseStats, perRequest } from "./database-stats.js";
import { cpuMs } from "./proc-stats.js";

const env = process.env;
const ADMIN_DATABASE_URL = env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const RATE = Number(env.BENCH_LEDGER_RATE ?? 500);
const DURATION_MS = Number(env.BENCH_LEDGER_DURATION_MS ?? 10_000);
const ROUNDS = Number(env.BENCH_LEDGER_ROUNDS ?? 2);
const ENTRIES = Number(env.BENCH_LEDGER_ENTRIES ?? 0);
const BATCH = Number(env.BENCH_LEDGER_BATCH ?? 0);
/** The bench model's worst case and a typical charge (nano-USD), as npm run bench's requests cost. */
const WORST_NANO = 150_000n;
const USAGE_NANO = 20_000n;
const FEE_NANO = 1_100n;

async function main(): Promise<void> {
  const name = `farebox_ledger_bench_${randomBytes(5).toString("hex")}`;
  const admin = postgres(ADMIN_DATABASE_URL, { max: 1, onnotice: () => undefined });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(ADMIN_DATABASE_URL);
  url.pathname = `/${name}`;
  const database = await createDb({ databaseUrl: url.toString() });
  const stats = databaseStats(ADMIN_DATABASE_URL, name);
  try {
    await database.migrate();
    const { db } = database;
    const accountId = await createAccount(db);
    await postEntry(db, { accountId, kind: "deposit", amountNano: 10n ** 18n, idempotencyKey: `bench:${accountId}` });
    if (ENTRIES > 0) {
      await db.execute(`insert into ledger_entries (account_id, kind, amount_nano, idempotency_key, created_at)
        select '${accountId}', 'deposit', 1, 'bench-seed-' || n, now() - make_interval(secs => n) from generate_series(1, ${ENTRIES}) n`);
      await db.execute(`update accounts set balance_nano = balance_nano + ${ENTRIES} where id = '${accountId}'`);
      await db.execute("vacuum analyze");
    }
    const caller: Caller = { accountId, keyId: "key_bench" };
    const billing = createLedgerBilling(db, { onError: (error) => console.error(error) });
    const conclusion = (holdId: string) => {
      const id = newGenerationId();
      return {
        holdId,
        reservedNano: WORST_NANO,
        usageNano: USAGE_NANO,
        feeNano: FEE_NANO,
        metadata: { generation_id: id, model: "bench/model", provider: "bench" },
        record: { ...generationRecord(id, accountId), keyId: caller.keyId, model: "bench/model", provider: "bench", totalNano: USAGE_NANO + FEE_NANO },
      };
    };
    const serve = async (): Promise<void> => {
      const hold = await billing.reserve({ caller, amountNano: WORST_NANO, now: new Date() });
      if (!hold.ok) throw new Error(`refused: ${hold.reason}`);
      await billing.conclude(conclusion(hold.holdId));
    };
    const lease = await placeHold(db, { accountId, amountNano: 10n ** 15n, key: { keyId: caller.keyId, limitNano: null, windowStart: new Date(0) }, now: new Date(), ttlMs: 3_600_000 });
    if (!lease.ok) throw new Error(`no lease: ${lease.reason}`);
    const writeBatches = async (durationMs: number): Promise<number> => {
      const total = Math.round((durationMs / 1000) * RATE);
      for (let written = 0; written < total; written += BATCH) {
        const batch = Array.from({ length: Math.min(BATCH, total - written) }, () => conclusion(lease.holdId));
        const endings = batch.map(({ holdId, usageNano, feeNano, metadata, record }) => ({ holdId, usageNano, feeNano, metadata, chargeKey: record.id }));
        await endHolds(db, endings, new Date(), insertGenerations(batch.map((item) => item.record)));
      }
      return total;
    };
    const run = async (durationMs: number): Promise<number> => {
      if (BATCH > 0) return writeBatches(durationMs);
      const started = performance.now();
      const pending: Promise<void>[] = [];
      for (let sent = 0; performance.now() - started < durationMs; ) {
        const due = Math.floor(((performance.now() - started) / 1000) * RATE);
        for (; sent < due; sent += 1) pending.push(serve());
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      await Promise.all(pending);
      return pending.length;
    };
    await run(2_000);
    for (let round = 1; round <= ROUNDS; round += 1) {
      const backends = await stats.backendPids();
      const before = await stats.snapshot();
      const backendsBefore = cpuMs(backends);
      const ownBefore = process.cpuUsage();
      const served = await run(DURATION_MS);
      const own = process.cpuUsage(ownBefore);
      const backendsMs = cpuMs([...new Set([...backends, ...(await stats.backendPids())])]) - backendsBefore;
      const after = await stats.snapshot();
      process.stdout.write(
        `round ${round}: ${served} requests at ${RATE}/s; Postgres CPU ${(backendsMs / served).toFixed(4)} ms/request, ` +
          `this process ${((own.user + own.system) / 1000 / served).toFixed(4)} ms/request\n${perRequest(before, after, served)}\n`,
      );
    }
    await billing.drain();
  } finally {
    await stats.close();
    await database.close();
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

await main();
