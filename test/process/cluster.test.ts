/**
 * `npm start` on PostgreSQL runs one gateway process per worker on one port, the first (the
 * primary) handing the other its share of the connections: the real process, two workers, a fake
 * OpenAI upstream. Both serve; every answered request is billed exactly once at the exact price; a
 * BYOK key stored through one is used by the other at once (they tell each other); a worker that
 * dies is replaced; SIGTERM lets both finish the requests in flight, and the process exits 0. A
 * primary that dies takes the gateway down: its worker drains and exits. With FAREBOX_WORKERS=auto
 * the worker starts only under load, takes its share of a client's open connections, and retires
 * when idle, without a request failing. Those tests start the worker sooner than the defaults would
 * (FAREBOX_WORKER_BUSY=0.5, FAREBOX_WORKER_SPARE_CORES=0): their load generator runs on the same cores
 * as the gateway, and with the test files beside it the machine has no idle core to offer.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { availableParallelism } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { Agent, Pool } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/client.js";
import { auditLedger } from "../../src/ledger/index.js";
import { createAccountViaAdmin, TEST_ADMIN_TOKEN } from "../support/app.js";
import { createTestDatabase, type TestDatabase } from "../support/db.js";
import { startFakeOpenAI, type FakeUpstream } from "../support/fake-upstreams/index.js";

const root = join(import.meta.dirname, "../..");
const REQUESTS = 40;

describe.skipIf(!process.env.TEST_DATABASE_URL)("npm start on PostgreSQL with two workers", () => {
  let database: TestDatabase;
  let upstream: FakeUpstream;
  let child: ChildProcessWithoutNullStreams | undefined;
  let output = "";
  beforeAll(async () => {
    database = await createTestDatabase("postgres");
    upstream = await startFakeOpenAI({ script: { text: "Hi there", usage: { prompt: 10, completion: 5 } } });
  });
  afterAll(async () => {
    child?.kill("SIGKILL");
    await upstream?.close();
    await database?.close();
  });

  const logLines = () =>
    output
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as Record<string, unknown>);

  /** `npm start`'s entry on PostgreSQL with two workers (or `env`'s count); its output (every process's) collected. */
  const startCluster = (configPath?: string, env: Record<string, string> = {}) => {
    output = "";
    const started = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
      cwd: root,
      env: {
        PATH: process.env.PATH ?? "",
        PORT: "0",
        HOST: "127.0.0.1",
        LOG_LEVEL: "info",
        DATABASE_URL: database.url!,
        FAREBOX_WORKERS: "2",
        ...(configPath ? { FAREBOX_CONFIG: configPath } : {}),
        FAREBOX_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
        FAREBOX_BYOK_MASTER_KEY: randomBytes(32).toString("hex"),
        ...env,
      },
    });
    started.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    started.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    return started;
  };
  const readyLines = () => logLines().filter((line) => line.msg === "farebox ready");

  /** The config: one model on the fake upstream, at $1/M prompt and $2/M completion tokens. */
  const writeConfig = () => {
    const dir = mkdtempSync(join(tmpdir(), "farebox-cluster-"));
    const configPath = join(dir, "farebox.yaml");
    writeFileSync(
      configPath,
      JSON.stringify({
        catalog: { include_default: false },
        providers: { alpha: { name: "Alpha", protocol: "openai", base_url: `${upstream.url}/v1`, api_key: "alpha-shared-key" } },
        models: [{ id: "test/chat", context_length: 100_000, max_completion_tokens: 1_000, endpoints: [{ provider: "alpha", model: "alpha-chat", pricing: { prompt: "0.000001", completion: "0.000002" } }] }],
      }),
    );
    return configPath;
  };

  /** An account credited $10, its management key and an API key. */
  const fundedKey = async (url: string) => {
    const { accountId, managementKey } = await createAccountViaAdmin(url);
    const credited = await fetch(`${url}/api/v1/admin/accounts/${accountId}/credits`, {
      method: "POST",
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ amount_usd: "10", reason: "test" }),
    });
    expect(credited.status).toBe(201);
    const minted = await fetch(`${url}/api/v1/keys`, {
      method: "POST",
      headers: { authorization: `Bearer ${managementKey}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "cluster" }),
    });
    const { key } = (await minted.json()) as { key: string };
    return { accountId, managementKey, key };
  };

  /** Chat requests over one undici pool of 32 keep-alive connections: each answer's generation id, or what failed. */
  const chatClient = (url: string, key: string) => {
    // a request left hanging is a failure, not a test that times out
    const pool = new Pool(url, { connections: 32, headersTimeout: 15_000, bodyTimeout: 15_000 });
    const ids: string[] = [];
    const failures: string[] = [];
    const send = async () => {
      try {
        const { statusCode, headers, body } = await pool.request({
          path: "/api/v1/chat/completions",
          method: "POST",
          headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
          body: JSON.stringify({ model: "test/chat", messages: [{ role: "user", content: "Hello" }], max_tokens: 50 }),
        });
        await body.dump();
        if (statusCode === 200) ids.push(headers["x-generation-id"] as string);
        else failures.push(`status ${statusCode}`);
      } catch (error) {
        failures.push(String(error));
      }
    };
    /** 32 requests in flight at all times until the returned function is called (it resolves once they have ended). */
    const keepBusy = () => {
      let busy = true;
      const loops = Promise.all(
        Array.from({ length: 32 }, async () => {
          while (busy) await send();
        }),
      );
      return async () => {
        busy = false;
        await loops;
      };
    };
    return { ids, failures, send, keepBusy, close: () => pool.close() };
  };

  /** Usage and fee charged for `ids`, and the account's open holds. */
  const charges = async (accountId: string, ids: string[]) => {
    const [charged] = await queryRows<{ generations: string; nano: string }>(
      database.db,
      sql`select count(distinct metadata->>'generation_id')::text as generations, coalesce(-sum(amount_nano), 0)::text as nano
          from ledger_entries where account_id = ${accountId} and kind in ('usage', 'fee') and metadata->>'generation_id' in (select jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb))`,
    );
    const [open] = await queryRows<{ n: string }>(database.db, sql`select count(*)::text as n from holds where account_id = ${accountId} and status = 'open'`);
    return { ...charged!, openHolds: open!.n };
  };

  it("serves from both workers, replaces one that dies, bills each request once and exactly, shares BYOK changes, and drains on SIGTERM", { timeout: 180_000 }, async () => {
    child = startCluster(writeConfig());
    const exited = new Promise<number | null>((resolve) => child!.on("exit", (code) => resolve(code)));
    await expect.poll(() => readyLines().length, { timeout: 120_000, interval: 200 }).toBe(2);
    const ready = readyLines();
    expect(new Set(ready.map((line) => line.pid)).size).toBe(2);
    expect(ready[0]).toMatchObject({ processes: "2 workers on PostgreSQL", storage: "postgres" });
    const url = ready[0]!.address as string;
    expect(ready[1]!.address).toBe(url);

    // a worker that dies is replaced (the primary is the process started)
    expect(ready.map((line) => line.pid)).toContain(child.pid);
    process.kill(ready.find((line) => line.pid !== child!.pid)!.pid as number, "SIGKILL");
    await expect.poll(() => readyLines().length, { timeout: 120_000, interval: 200 }).toBe(3);
    expect(logLines().some((line) => line.msg === "a worker exited; starting another")).toBe(true);

    const { accountId, managementKey, key } = await fundedKey(url);

    // each request on a connection of its own, so the primary hands them to both workers
    const chat = async () => {
      const dispatcher = new Agent({ pipelining: 0 });
      try {
        const response = await fetch(`${url}/api/v1/chat/completions`, {
          method: "POST",
          headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
          body: JSON.stringify({ model: "test/chat", messages: [{ role: "user", content: "Hello" }], max_tokens: 50 }),
          dispatcher,
        } as RequestInit);
        expect(response.status).toBe(200);
        return response.headers.get("x-generation-id")!;
      } finally {
        await dispatcher.close();
      }
    };
    const ids = await Promise.all(Array.from({ length: REQUESTS }, chat));
    expect(new Set(ids).size).toBe(REQUESTS);
    await expect
      .poll(() => new Set(logLines().filter((line) => line.msg === "request" && line.path === "/api/v1/chat/completions").map((line) => line.pid)).size, { timeout: 10_000 })
      .toBe(2);

    // a key stored through one worker is used by every worker from the next request on
    const stored = await fetch(`${url}/api/v1/byok/alpha`, {
      method: "PUT",
      headers: { authorization: `Bearer ${managementKey}`, "content-type": "application/json" },
      body: JSON.stringify({ api_key: "alpha-own-key" }),
    });
    expect(stored.status).toBe(200);
    const before = upstream.requests.length;
    await Promise.all(Array.from({ length: 10 }, chat));
    const used = upstream.requests.slice(before).map((request) => request.headers.authorization);
    expect(used).toEqual(Array.from({ length: 10 }, () => "Bearer alpha-own-key"));

    // and a key removed through one is no longer used by any
    const removed = await fetch(`${url}/api/v1/byok/alpha`, { method: "DELETE", headers: { authorization: `Bearer ${managementKey}` } });
    expect(removed.status).toBe(200);

    // requests still waiting for their upstream when SIGTERM lands are answered and billed, in both processes
    upstream.setScript({ text: "Hi there", usage: { prompt: 10, completion: 5 }, firstByteDelayMs: 1_500 });
    const slow = Promise.all(Array.from({ length: 6 }, chat));
    await expect.poll(() => upstream.requests.length - before - 10, { timeout: 10_000, interval: 20 }).toBe(6);
    const terminatedAt = Date.now();
    child.kill("SIGTERM");
    const slowIds = await slow;
    expect(upstream.requests.slice(before + 10).map((request) => request.headers.authorization)).toEqual(Array.from({ length: 6 }, () => "Bearer alpha-shared-key"));
    ids.push(...slowIds);
    expect(await exited).toBe(0);
    const messages = logLines().map((line) => line.msg);
    expect(messages.filter((msg) => msg === "draining in-flight requests")).toHaveLength(2);
    const answeredWhileDraining = logLines().filter((line) => line.msg === "request" && line.path === "/api/v1/chat/completions" && (line.time as number) >= terminatedAt);
    expect(answeredWhileDraining).toHaveLength(6);
    expect(new Set(answeredWhileDraining.map((line) => line.pid)).size).toBe(2);

    // every charge written before the workers exited: usage + fee of each shared-key request, exactly
    // 10 prompt tokens at $1/M + 5 completion tokens at $2/M = 20,000 nano-USD, plus the 5% fee
    expect(await charges(accountId, ids)).toEqual({ generations: String(ids.length), nano: String(ids.length * 21_000), openHolds: "0" });
    expect(await auditLedger(database.db)).toMatchObject({ ok: true });
  });

  it.skipIf(availableParallelism() < 2)(
    "with FAREBOX_WORKERS=auto, serves alone until the load needs a worker, spreads a client's keep-alive connections over both, and retires the worker once idle, without failing a request",
    { timeout: 180_000 },
    async () => {
      upstream.setScript({ text: "Hi there", usage: { prompt: 10, completion: 5 } });
      child = startCluster(writeConfig(), { FAREBOX_WORKERS: "auto", FAREBOX_WORKER_BUSY: "0.5", FAREBOX_WORKER_SPARE_CORES: "0", FAREBOX_WORKER_IDLE_SECONDS: "2" });
      const exited = new Promise<number | null>((resolve) => child!.on("exit", (code) => resolve(code)));
      await expect.poll(() => readyLines().length, { timeout: 60_000, interval: 200 }).toBe(1);
      const url = readyLines()[0]!.address as string;
      expect(readyLines()[0]).toMatchObject({ pid: child.pid, processes: `1 to ${availableParallelism()} workers on PostgreSQL, as the load needs` });
      expect((await fetch(`${url}/ready`)).status).toBe(200);
      const { accountId, key } = await fundedKey(url);

      // one client, 32 keep-alive connections opened while the primary serves alone, kept busy
      const client = chatClient(url, key);
      const { ids, failures, send } = client;
      const stopLoad = client.keepBusy();
      const joined = () => logLines().find((line) => line.msg === "every worker is listening");
      await expect.poll(joined, { timeout: 90_000, interval: 200 }).toBeDefined();
      expect(logLines().find((line) => line.msg === "the load needs more gateway processes: starting 1")).toMatchObject({ pid: child.pid, workers: 2 });
      await sleep(5_000);
      await stopLoad();

      // once it serves (and has warmed up for a moment), the worker takes its share of the same client's requests
      const since = joined()!.time as number;
      const served = logLines().filter((line) => line.msg === "request" && line.path === "/api/v1/chat/completions" && (line.time as number) > since + 1_500);
      const byWorker = served.filter((line) => line.pid !== child!.pid).length;
      expect(byWorker / served.length).toBeGreaterThan(0.25);
      expect(byWorker / served.length).toBeLessThan(0.75);

      // idle: the worker retires, its connections answering once more (with Connection: close) first
      await expect.poll(() => logLines().some((line) => line.msg === "the load no longer needs a gateway process: one retires once its connections have closed"), { timeout: 30_000, interval: 200 }).toBe(true);
      await Promise.all(Array.from({ length: 32 }, send));
      await expect.poll(() => logLines().some((line) => line.msg === "a worker retired"), { timeout: 30_000, interval: 200 }).toBe(true);
      await Promise.all(Array.from({ length: 8 }, send));
      await client.close();
      expect(failures).toEqual([]);
      expect(logLines().filter((line) => (line.level as number) >= 50)).toEqual([]);

      child.kill("SIGTERM");
      expect(await exited).toBe(0);
      expect(await charges(accountId, ids)).toEqual({ generations: String(ids.length), nano: String(ids.length * 21_000), openHolds: "0" });
      expect(await auditLedger(database.db)).toMatchObject({ ok: true });
    },
  );

  it.skipIf(availableParallelism() < 2)("with FAREBOX_WORKERS=auto, a worker killed under load is not replaced at once: the primary serves on, and the load starts another", { timeout: 180_000 }, async () => {
    upstream.setScript({ text: "Hi there", usage: { prompt: 10, completion: 5 } });
    child = startCluster(writeConfig(), { FAREBOX_WORKERS: "auto", FAREBOX_WORKER_BUSY: "0.5", FAREBOX_WORKER_SPARE_CORES: "0" });
    await expect.poll(() => readyLines().length, { timeout: 60_000, interval: 200 }).toBe(1);
    const url = readyLines()[0]!.address as string;
    const client = chatClient(url, (await fundedKey(url)).key);
    const stopLoad = client.keepBusy();
    const joins = () => logLines().filter((line) => line.msg === "every worker is listening").length;
    await expect.poll(joins, { timeout: 90_000, interval: 200 }).toBe(1);
    await expect.poll(() => readyLines().length, { timeout: 10_000, interval: 100 }).toBe(2);
    process.kill(readyLines().find((line) => line.pid !== child!.pid)!.pid as number, "SIGKILL");
    await expect.poll(() => logLines().find((line) => line.msg === "a worker exited"), { timeout: 10_000, interval: 100 }).toMatchObject({ pid: child.pid, level: 50 });
    const failedAtKill = client.failures.length;
    const servedAtKill = client.ids.length;
    await expect.poll(joins, { timeout: 90_000, interval: 200 }).toBe(2);
    await sleep(1_000);
    await stopLoad();
    await client.close();
    // only requests the killed worker had in flight failed; the gateway served on and never stopped
    expect(client.failures).toEqual(client.failures.slice(0, failedAtKill));
    expect(client.ids.length).toBeGreaterThan(servedAtKill);
    expect(logLines().filter((line) => line.msg === "farebox ready")).toHaveLength(3);
    expect(logLines().some((line) => (line.level as number) >= 60)).toBe(false);
    // the next test starts its own cluster: this one ends here, its workers with it
    const exited = new Promise((resolve) => child!.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  });

  it("ends when the primary dies: the worker, its link gone, drains and exits", { timeout: 120_000 }, async () => {
    child = startCluster();
    await expect.poll(() => readyLines().length, { timeout: 60_000, interval: 200 }).toBe(2);
    const worker = readyLines().find((line) => line.pid !== child!.pid)!.pid as number;
    const alive = () => {
      try {
        process.kill(worker, 0);
        return true;
      } catch {
        return false;
      }
    };
    child.kill("SIGKILL");
    await expect.poll(alive, { timeout: 30_000, interval: 100 }).toBe(false);
    expect(logLines().some((line) => line.pid === worker && line.msg === "draining in-flight requests")).toBe(true);
  });
});
