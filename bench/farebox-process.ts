/**
 * farebox for the benchmark as an operator runs it: `npm start`'s own command (package.json) in
 * a child process, on a fresh Postgres database (created on BENCH_DATABASE_URL's server, dropped
 * at the end) or on embedded PGlite, with info logging on (to a file, as a service manager would
 * keep it), a BYOK master key set, and one model served by the fake upstream. Once /ready
 * answers, the launcher opens an account through the admin API, funds it, mints an inference
 * key and gives the account's ledger `seedEntries` past entries.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { freePort } from "../test/support/free-port.js";
import { processTree } from "./proc-stats.js";

const ADMIN_TOKEN = "bench-admin-token-0123456789";

export interface FareboxProcess {
  url: string;
  key: string;
  /** The process `npm start`'s command runs in (its node processes are its descendants). */
  child: ChildProcess;
  /** The Postgres database's name (undefined on PGlite). */
  databaseName: string | undefined;
  /** ms from spawning `npm start`'s command to /ready answering 200. */
  startMs: number;
  stop(): Promise<void>;
}

export interface FareboxOptions {
  upstreamUrl: string;
  /** Postgres server to create the database on; undefined runs embedded PGlite. */
  adminDatabaseUrl: string | undefined;
  seedEntries: number;
  logFile: string;
  /** The checkout whose `npm start` runs (default: the current directory), e.g. a baseline worktree to compare with. */
  directory?: string;
  /** PGlite only: this data directory (kept at stop, so a later start finds it warm) instead of a fresh one removed at stop. */
  dataDir?: string;
}

/** package.json's `npm start` command (of `directory`'s checkout, default this one). */
function npmStartCommand(directory?: string): string {
  const path = directory ? join(directory, "package.json") : new URL("../package.json", import.meta.url);
  const pkg = JSON.parse(readFileSync(path, "utf8")) as { scripts: { start: string } };
  return pkg.scripts.start;
}

/** The node flags `npm start` runs the compiled server with (V8's garbage collector settings). */
export function startNodeFlags(): string {
  const flags = /node ([^&]*?) ?src\/start\.js/.exec(npmStartCommand());
  if (!flags) throw new Error("package.json's start command does not run src/start.js");
  return flags[1]!;
}

/**
 * `npm start`'s command, or for this checkout BENCH_FAREBOX_START (e.g. to run it under --cpu-prof
 * or other V8 flags): another checkout (the old release, a baseline) always runs its own.
 */
export function startCommand(directory?: string): string {
  return (directory === undefined ? process.env.BENCH_FAREBOX_START : undefined) ?? npmStartCommand(directory);
}

async function waitReady(url: string, child: ChildProcess): Promise<void> {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`farebox exited with ${child.exitCode} before it was ready`);
    try {
      if ((await fetch(`${url}/ready`)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function call(url: string, path: string, token: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${url}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (response.status >= 300) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as Record<string, unknown>;
}

/** Starts farebox, waits until it is ready and provisions a funded key. */
export async function startFarebox(options: FareboxOptions): Promise<FareboxProcess> {
  const dir = mkdtempSync(join(tmpdir(), "farebox-bench-"));
  const configPath = join(dir, "farebox.yaml");
  // JSON is YAML
  writeFileSync(
    configPath,
    JSON.stringify({
      catalog: { include_default: false },
      providers: { bench: { name: "Bench", protocol: "openai", base_url: `${options.upstreamUrl}/v1`, api_key: "bench" } },
      models: [
        {
          id: "bench/model",
          context_length: 32_000,
          max_completion_tokens: 256,
          endpoints: [{ provider: "bench", model: "bench-model", pricing: { prompt: "0.000001", completion: "0.000002" } }],
        },
        {
          id: "bench/spaced",
          context_length: 32_000,
          max_completion_tokens: 256,
          endpoints: [{ provider: "bench", model: "bench-spaced", pricing: { prompt: "0.000001", completion: "0.000002" } }],
        },
      ],
    }),
  );
  let databaseName: string | undefined;
  let databaseUrl: string | undefined;
  if (options.adminDatabaseUrl) {
    databaseName = `farebox_bench_${randomBytes(5).toString("hex")}`;
    const admin = postgres(options.adminDatabaseUrl, { max: 1, onnotice: () => undefined });
    await admin.unsafe(`create database ${databaseName}`);
    await admin.end();
    const parsed = new URL(options.adminDatabaseUrl);
    parsed.pathname = `/${databaseName}`;
    databaseUrl = parsed.toString();
  }
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const log = openSync(options.logFile, "w");
  const started = performance.now();
  const { DATABASE_URL: _ignored, ...inherited } = process.env;
  const child = spawn("sh", ["-c", startCommand(options.directory)], {
    ...(options.directory ? { cwd: options.directory } : {}),
    env: {
      ...inherited,
      PORT: String(port),
      HOST: "127.0.0.1",
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? "info",
      FAREBOX_CONFIG: configPath,
      FAREBOX_ADMIN_TOKEN: ADMIN_TOKEN,
      FAREBOX_BYOK_MASTER_KEY: randomBytes(32).toString("hex"),
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : { DATA_DIR: options.dataDir ?? join(dir, "data") }),
    },
    stdio: ["ignore", log, log],
  });
  const stop = async (): Promise<void> => {
    // the shell does not forward signals: signal its node processes and wait until they are gone
    const nodes = processTree(child.pid!, "node");
    for (const pid of nodes) process.kill(pid, "SIGTERM");
    while (nodes.some(isAlive)) await new Promise((resolve) => setTimeout(resolve, 50));
    if (child.exitCode === null) child.kill("SIGTERM");
    if (options.adminDatabaseUrl && databaseName) {
      const admin = postgres(options.adminDatabaseUrl, { max: 1, onnotice: () => undefined });
      await admin.unsafe(`drop database if exists ${databaseName} with (force)`);
      await admin.end();
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitReady(url, child);
    const startMs = performance.now() - started;
    const account = await call(url, "/api/v1/admin/accounts", ADMIN_TOKEN, {});
    const accountId = account.account_id as string;
    await call(url, `/api/v1/admin/accounts/${accountId}/credits`, ADMIN_TOKEN, { amount_usd: "1000000", reason: "benchmark" });
    const { key } = (await call(url, "/api/v1/keys", account.key as string, { name: "bench" })) as { key: string };
    if (databaseUrl && options.seedEntries > 0) await seedLedger(databaseUrl, accountId, options.seedEntries);
    return { url, key, child, databaseName, startMs, stop };
  } catch (error) {
    // a start that failed leaves no process, database or directory behind
    await stop();
    throw error;
  }
}

/**
 * A ledger with history: `count` past deposits of 1 nano-USD on the account, its balance raised by
 * the same amount in the same transaction (the ledger's triggers keep the per-kind totals), so
 * the audit still balances.
 */
async function seedLedger(databaseUrl: string, accountId: string, count: number): Promise<void> {
  const client = postgres(databaseUrl, { max: 1, onnotice: () => undefined });
  await client.begin(async (tx) => {
    await tx`insert into ledger_entries (account_id, kind, amount_nano, idempotency_key, created_at)
      select ${accountId}, 'deposit', 1, 'bench-seed-' || n, now() - make_interval(secs => n) from generate_series(1, ${count}::int) n`;
    await tx`update accounts set balance_nano = balance_nano + ${count} where id = ${accountId}`;
  });
  await client.end();
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
