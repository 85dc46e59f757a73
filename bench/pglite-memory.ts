/**
 * What the embedded PGlite default costs (npm run bench:pglite): `npm start`'s own command
 * (compiled, one process) on a fresh DATA_DIR, its resident memory once idle after that first
 * start, then again after a warm restart on the same directory, then the warm process's closed-loop
 * throughput and CPU per request, beside PostgreSQL mode's closed loop (npm start with
 * DATABASE_URL: one worker per core) for the "within 2×" ratio. Memory and CPU per request hold on
 * a shared machine; throughput does not, so compare runs made the same way, interleaved.
 *
 * Settings (environment): BENCH_REPEAT (2, first-start/warm pairs), BENCH_DURATION_MS (5000, per
 * closed loop), BENCH_CONCURRENCY (32), BENCH_IDLE_MS (3000, settling before idle memory is read), BENCH_WARMUP_MS (3000, a closed loop before the measured one),
 * BENCH_DATABASE_URL (the Postgres server for the comparison, default
 * postgres://postgres@127.0.0.1:5432/postgres), BENCH_POSTGRES=0 (skip the comparison).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startFarebox, type FareboxProcess } from "./farebox-process.js";
import { runClosedLoop } from "./load.js";
import { cpuMs, processTree, rssMb } from "./proc-stats.js";
import { startUpstream } from "./upstream-process.js";

const env = process.env;
const REPEAT = Number(env.BENCH_REPEAT ?? 2);
const DURATION_MS = Number(env.BENCH_DURATION_MS ?? 5_000);
const CONCURRENCY = Number(env.BENCH_CONCURRENCY ?? 32);
const IDLE_MS = Number(env.BENCH_IDLE_MS ?? 3_000);
const WARMUP_MS = Number(env.BENCH_WARMUP_MS ?? 3_000);
const ADMIN_DATABASE_URL = env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const WITH_POSTGRES = env.BENCH_POSTGRES !== "0";

const log = (line: string) => process.stdout.write(`${line}\n`);
const body = JSON.stringify({ model: "bench/model", messages: [{ role: "user", content: "Say something short about benchmarks." }], max_tokens: 64 });
const pidsOf = (farebox: FareboxProcess) => processTree(farebox.child.pid!, "node");

async function idleRssMb(farebox: FareboxProcess): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
  return rssMb(pidsOf(farebox));
}

/**
 * Closed loop against `farebox` after a warm-up (JIT, connections): requests per second, CPU ms
 * per request of its processes, peak RSS.
 */
async function closedLoop(farebox: FareboxProcess): Promise<{ rps: number; cpuPerRequestMs: number; peakMb: number }> {
  const pids = pidsOf(farebox);
  const options = {
    url: farebox.url,
    path: "/api/v1/chat/completions",
    headers: { authorization: `Bearer ${farebox.key}`, "content-type": "application/json" },
    body,
    concurrency: CONCURRENCY,
  };
  await runClosedLoop({ ...options, durationMs: WARMUP_MS });
  let peakMb = rssMb(pids);
  const timer = setInterval(() => (peakMb = Math.max(peakMb, rssMb(pids))), 250);
  const cpuBefore = cpuMs(pids);
  const started = performance.now();
  const result = await runClosedLoop({ ...options, durationMs: DURATION_MS });
  const served = (result.requestsPerSecond * (performance.now() - started)) / 1000;
  clearInterval(timer);
  if (result.errors > 0) log(`  (${result.errors} requests failed)`);
  return { rps: result.requestsPerSecond, cpuPerRequestMs: (cpuMs(pids) - cpuBefore) / Math.max(1, served), peakMb };
}

async function main(): Promise<void> {
  const upstream = await startUpstream();
  const logFile = join(tmpdir(), `farebox-bench-pglite-${process.pid}.log`);
  const rows: string[] = [];
  try {
    for (let round = 1; round <= REPEAT; round += 1) {
      const dataDir = join(mkdtempSync(join(tmpdir(), "farebox-pglite-")), "data");
      try {
        const first = await startFarebox({ upstreamUrl: upstream.url, adminDatabaseUrl: undefined, seedEntries: 0, logFile, dataDir });
        const firstMb = await idleRssMb(first);
        const firstCpu = cpuMs(pidsOf(first));
        await first.stop();
        const warm = await startFarebox({ upstreamUrl: upstream.url, adminDatabaseUrl: undefined, seedEntries: 0, logFile, dataDir });
        const warmMb = await idleRssMb(warm);
        const warmCpu = cpuMs(pidsOf(warm));
        const loop = await closedLoop(warm);
        await warm.stop();
        const row = `PGlite round ${round}: first start ${(first.startMs / 1000).toFixed(1)} s (${(firstCpu / 1000).toFixed(1)} s CPU), idle ${firstMb.toFixed(0)} MB; warm start ${(warm.startMs / 1000).toFixed(1)} s (${(warmCpu / 1000).toFixed(1)} s CPU), idle ${warmMb.toFixed(0)} MB; closed loop ${loop.rps.toFixed(0)} req/s, CPU ${loop.cpuPerRequestMs.toFixed(3)} ms/req, peak ${loop.peakMb.toFixed(0)} MB`;
        log(row);
        rows.push(row);
      } finally {
        rmSync(join(dataDir, ".."), { recursive: true, force: true });
      }
      if (WITH_POSTGRES) {
        const pg = await startFarebox({ upstreamUrl: upstream.url, adminDatabaseUrl: ADMIN_DATABASE_URL, seedEntries: 0, logFile });
        try {
          const loop = await closedLoop(pg);
          const row = `PostgreSQL round ${round}: closed loop ${loop.rps.toFixed(0)} req/s (${pidsOf(pg).length} processes), CPU ${loop.cpuPerRequestMs.toFixed(3)} ms/req without Postgres's own`;
          log(row);
          rows.push(row);
        } finally {
          await pg.stop();
        }
      }
    }
  } finally {
    upstream.child.kill("SIGTERM");
  }
  log(`\n${rows.join("\n")}`);
}

await main();
