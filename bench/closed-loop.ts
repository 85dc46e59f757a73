/**
 * farebox at saturation (npm run bench:closed-loop): `npm run bench`'s closed loop (BENCH_CONCURRENCY
 * connections, 32, each sending its next request as soon as the last answered, non-stream) against
 * the bare Node proxy (bench/node-proxy.ts) and farebox as `npm start` runs it (one process, more while
 * the load needs them, on a fresh PostgreSQL database, BYOK on, info logging to a file), and, when BENCH_BASELINE_DIR names
 * another checkout (a worktree of main with its node_modules), that checkout's farebox too: old and
 * new in one run (BENCH_FAREBOX_DIR names the checkout measured as "farebox", default this one: run
 * twice with the two swapped, as the second farebox started measured dearer than the first even when
 * both were the same code). After warm-up rounds of BENCH_WARMUP_MS (5,000) per target until its
 * throughput stops rising (load.ts, untilSteady: a farebox started cold warms for several), BENCH_REPEAT rounds (3) of
 * BENCH_DURATION_MS (5,000) per target, the order rotated each round. Per run: requests per second, and the CPU per served request (from /proc) of the
 * target's processes, of the Postgres backends serving its database, and of the harness (this load
 * generator and the fake upstream), with the machine's busy share (/proc/stat): on a shared machine
 * throughput follows what else runs, CPU per request much less.
 */
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { startFarebox, type FareboxProcess } from "./farebox-process.js";
import { runClosedLoop, untilSteady } from "./load.js";
import { cpuMs, processTree } from "./proc-stats.js";
import { startBenchServer, startUpstream } from "./upstream-process.js";

const env = process.env;
const DURATION_MS = Number(env.BENCH_DURATION_MS ?? 5_000);
const REPEAT = Number(env.BENCH_REPEAT ?? 3);
const CONCURRENCY = Number(env.BENCH_CONCURRENCY ?? 32);
const ADMIN_DATABASE_URL = env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const BASELINE_DIR = env.BENCH_BASELINE_DIR;
const FAREBOX_DIR = env.BENCH_FAREBOX_DIR;
const WARMUP_MS = Number(env.BENCH_WARMUP_MS ?? 5_000);

interface Target {
  name: string;
  url: string;
  path: string;
  headers: Record<string, string>;
  model: string;
  pids: () => number[];
  databasePids: () => Promise<number[]>;
}

/** Busy and total jiffies of the whole machine. */
function machineTicks(): { busy: number; total: number } {
  const fields = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  return { busy: total - fields[3]! - fields[4]!, total };
}

const log = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  const upstream = await startUpstream();
  const nodeProxy = await startBenchServer("bench/node-proxy.ts", upstream.url);
  const pg = postgres(ADMIN_DATABASE_URL, { max: 1, onnotice: () => undefined });
  const fareboxes: FareboxProcess[] = [];
  const targets: Target[] = [
    {
      name: "node",
      url: nodeProxy.url,
      path: "/v1/chat/completions",
      headers: { authorization: "Bearer bench", "content-type": "application/json" },
      model: "bench-model",
      pids: () => processTree(nodeProxy.child.pid!, "node"),
      databasePids: async () => [],
    },
  ];
  const fareboxTarget = (name: string, farebox: FareboxProcess): Target => ({
    name,
    url: farebox.url,
    path: "/api/v1/chat/completions",
    headers: { authorization: `Bearer ${farebox.key}`, "content-type": "application/json" },
    model: "bench/model",
    pids: () => processTree(farebox.child.pid!, "node"),
    databasePids: async () => (await pg`select pid from pg_stat_activity where datname = ${farebox.databaseName!}`).map((row) => row.pid as number),
  });
  try {
    // undefined: this checkout, started as BENCH_FAREBOX_START says when it is set
    for (const directory of [FAREBOX_DIR, ...(BASELINE_DIR ? [BASELINE_DIR] : [])]) {
      const name = `farebox ${directory ?? process.cwd()}`;
      log(`starting ${name}…`);
      const farebox = await startFarebox({ upstreamUrl: upstream.url, adminDatabaseUrl: ADMIN_DATABASE_URL, seedEntries: 0, logFile: join(tmpdir(), `farebox-closed-${process.pid}-${fareboxes.length}.log`), directory });
      fareboxes.push(farebox);
      targets.push(fareboxTarget(name, farebox));
    }
    const harness = [process.pid, upstream.child.pid!];
    const run = async (target: Target, durationMs: number) => {
      const pids = target.pids();
      const databasePids = await target.databasePids();
      const before = { target: cpuMs(pids), database: cpuMs(databasePids), harness: cpuMs(harness), machine: machineTicks() };
      const body = JSON.stringify({ model: target.model, messages: [{ role: "user", content: "Say something short about benchmarks." }], max_tokens: 64, stream: false });
      const result = await runClosedLoop({ url: target.url, path: target.path, headers: target.headers, body, concurrency: CONCURRENCY, durationMs });
      const served = Math.max(1, result.served);
      const machine = machineTicks();
      const databaseAfter = cpuMs([...new Set([...databasePids, ...(await target.databasePids())])]);
      return {
        rps: result.requestsPerSecond,
        errors: result.errors,
        cpu: (cpuMs(pids) - before.target) / served,
        database: (databaseAfter - before.database) / served,
        harness: (cpuMs(harness) - before.harness) / served,
        busy: (machine.busy - before.machine.busy) / Math.max(1, machine.total - before.machine.total),
      };
    };
    log("warming up, each target until its throughput stops rising…");
    for (const target of targets) {
      const { rounds } = await untilSteady(async () => ({ requestsPerSecond: (await run(target, WARMUP_MS)).rps }));
      log(`warm-up ${target.name}: ${rounds.map((round) => round.requestsPerSecond.toFixed(0)).join(", ")} req/s`);
    }
    for (let round = 0; round < REPEAT; round += 1) {
      for (let i = 0; i < targets.length; i += 1) {
        const target = targets[(i + round) % targets.length]!;
        const r = await run(target, DURATION_MS);
        log(
          `round ${round + 1} ${target.name}: ${r.rps.toFixed(0)} req/s (${r.errors} errors); CPU ${r.cpu.toFixed(3)} ms/request + Postgres ${r.database.toFixed(3)}; harness ${r.harness.toFixed(3)}; machine ${(r.busy * 100).toFixed(0)} % busy`,
        );
      }
    }
  } finally {
    await pg.end();
    for (const farebox of fareboxes) await farebox.stop();
    upstream.child.kill("SIGTERM");
    nodeProxy.child.kill("SIGTERM");
  }
}

await main();
