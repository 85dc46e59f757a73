/**
 * What farebox costs per request, measured beside a bare reverse proxy (npm run bench).
 *
 * Targets, each behind the same fake OpenAI upstream and measured interleaved in one run:
 * "direct" (the upstream itself), "nginx" (a bare keep-alive proxy, installed from Debian when
 * missing), "node" (the cheapest proxy on Node's http server and undici, one process: the
 * runtime's own floor, bench/node-proxy.ts), a peer gateway when BENCH_PEER_URL is set, and farebox as an operator runs it: `npm
 * start` (compiled; one process, more while the load needs them) on a fresh PostgreSQL database whose ledger already
 * holds BENCH_LEDGER_ENTRIES entries, BYOK on, info logging to a file, billing every request.
 * Scenarios: non-stream at 500 and 1,000 requests/s, and a stream whose upstream spaces its
 * chunks (time to first token), open loop with latency from the scheduled send time; then a
 * closed loop at BENCH_CONCURRENCY requests in flight, in rounds until its throughput stops rising
 * (`saturate`: farebox adds processes in the first seconds of a saturating load, where a core is
 * idle for them, and a target started just before warms up for longer); then the same closed loop against the old release
 * (bench/old-release.ts: the code before the cost-per-request work, its own `npm start` on the same
 * kind of database), whose multiple is the closed-loop target (with the two's CPU per request at
 * saturation, Postgres included: the throughput per core); then farebox on embedded PGlite.
 * CPU per request comes from /proc (farebox's processes, nginx's, and the Postgres backends of
 * farebox's database), which a busy machine does not change; latency figures need a quiet one.
 * The report (stdout and bench/latest-run.md) leads with farebox's ratios to nginx and to the bare Node proxy.
 *
 * Settings (environment): BENCH_DURATION_MS (5000, per run), BENCH_REPEAT (3), BENCH_CONCURRENCY
 * (32, closed loop), BENCH_LEDGER_ENTRIES (1,000,000), BENCH_DATABASE_URL (the Postgres server, default
 * postgres://postgres@127.0.0.1:5432/postgres), BENCH_PGLITE=0 (skip the PGlite part), BENCH_OLD_RELEASE
 * (the old release's commit, or 0 to skip it),
 * UPSTREAM_CHUNK_GAP_MS (20, spacing of the streamed chunks), BENCH_FAREBOX_START (a command instead
 * of npm start's, e.g. with --cpu-prof), BENCH_LOG_LEVEL (farebox's LOG_LEVEL, info as a user runs
 * it; debug adds the cluster's reading of the load each second). A peer gateway: BENCH_PEER_URL,
 * BENCH_PEER_PATH, BENCH_PEER_HEADERS (JSON), BENCH_PEER_MODEL, BENCH_PEER_SPACED_MODEL,
 * BENCH_PEER_PID (for its CPU).
 */
import { writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { startFarebox, type FareboxProcess } from "./farebox-process.js";
import { startBenchServer, startUpstream } from "./upstream-process.js";
import { loadPool, percentileOf, runClosedLoop, runLoad, untilSteady, type LoadResult } from "./load.js";
import { ensureNginx, startNginx, type Nginx } from "./nginx.js";
import { cpuMs, processTree, rssMb } from "./proc-stats.js";
import { OLD_RELEASE, oldReleaseCheckout } from "./old-release.js";

const env = process.env;
const DURATION_MS = Number(env.BENCH_DURATION_MS ?? 5_000);
const REPEAT = Number(env.BENCH_REPEAT ?? 3);
const CONCURRENCY = Number(env.BENCH_CONCURRENCY ?? 32);
const LEDGER_ENTRIES = Number(env.BENCH_LEDGER_ENTRIES ?? 1_000_000);
const ADMIN_DATABASE_URL = env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const WITH_PGLITE = env.BENCH_PGLITE !== "0";
const OLD_RELEASE_NAME = "old release";
const MAX_IN_FLIGHT = 1_024;

interface Target {
  name: string;
  url: string;
  path: string;
  headers: Record<string, string>;
  /** The model name for plain answers and for the spaced stream. */
  models: { plain: string; spaced: string };
  /** The target's own processes (CPU and memory), and Postgres backends working for it. */
  pids: () => number[];
  databasePids?: () => Promise<number[]>;
}

interface Scenario {
  name: string;
  rate: number;
  stream: boolean;
  spaced: boolean;
}

const SCENARIOS: Scenario[] = [
  { name: "non-stream", rate: 500, stream: false, spaced: false },
  { name: "non-stream", rate: 1_000, stream: false, spaced: false },
  { name: "stream, spaced chunks: first token", rate: 500, stream: true, spaced: true },
];

interface Run {
  target: string;
  scenario: string;
  rate: number;
  result: LoadResult;
  cpuPerRequestMs: number;
  databaseCpuPerRequestMs: number | undefined;
}

const messages = [{ role: "user", content: "Say something short about benchmarks." }];
const bodyFor = (model: string, stream: boolean) => JSON.stringify({ model, messages, max_tokens: 64, stream });
const fmt = (value: number, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : "–");
const log = (line: string) => process.stdout.write(`${line}\n`);

function fareboxTarget(name: string, farebox: FareboxProcess, pg: postgres.Sql | undefined): Target {
  return {
    name,
    url: farebox.url,
    path: "/api/v1/chat/completions",
    headers: { authorization: `Bearer ${farebox.key}`, "content-type": "application/json" },
    models: { plain: "bench/model", spaced: "bench/spaced" },
    pids: () => processTree(farebox.child.pid!, "node"),
    ...(pg && farebox.databaseName
      ? { databasePids: async () => (await pg`select pid from pg_stat_activity where datname = ${farebox.databaseName!}`).map((row) => row.pid as number) }
      : {}),
  };
}

/**
 * Starts reading the CPU of `target`'s processes and of its Postgres backends; the function returned
 * gives each per request served since (NaN without processes; undefined for a target without Postgres).
 */
async function cpuFrom(target: Target): Promise<(served: number) => { cpuPerRequestMs: number; databaseCpuPerRequestMs: number | undefined }> {
  const pids = target.pids();
  const databasePids = (await target.databasePids?.()) ?? [];
  const before = cpuMs(pids);
  const databaseBefore = cpuMs(databasePids);
  return (served) => ({
    cpuPerRequestMs: pids.length > 0 ? (cpuMs(pids) - before) / Math.max(1, served) : Number.NaN,
    databaseCpuPerRequestMs: target.databasePids ? (cpuMs(databasePids) - databaseBefore) / Math.max(1, served) : undefined,
  });
}

/** Runs one open-loop load against `target`, with its CPU per served request. */
async function measure(target: Target, scenario: Scenario, pools: Map<string, ReturnType<typeof loadPool>>, durationMs = DURATION_MS): Promise<Run> {
  const cpuPerRequest = await cpuFrom(target);
  const result = await runLoad(
    {
      url: target.url,
      path: target.path,
      headers: target.headers,
      body: bodyFor(scenario.spaced ? target.models.spaced : target.models.plain, scenario.stream),
      ratePerSecond: scenario.rate,
      durationMs,
      maxInFlight: MAX_IN_FLIGHT,
      ...(scenario.spaced ? { untilText: '"The"' } : {}),
    },
    pools.get(target.name),
  );
  return { target: target.name, scenario: scenario.name, rate: scenario.rate, result, ...cpuPerRequest(result.latenciesMs.length) };
}

/** Highest resident memory of `pids()` seen while `work` runs. */
async function peakRss<T>(pids: () => number[], work: () => Promise<T>): Promise<{ value: T; peakMb: number }> {
  let peakMb = rssMb(pids());
  const timer = setInterval(() => (peakMb = Math.max(peakMb, rssMb(pids()))), 250);
  try {
    return { value: await work(), peakMb };
  } finally {
    clearInterval(timer);
  }
}

const median = (values: number[]) => {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  return sorted.length === 0 ? Number.NaN : sorted[Math.floor((sorted.length - 1) / 2)]!;
};
const p = (run: Run, fraction: number) => percentileOf(run.result.latenciesMs, fraction);

interface Saturated {
  requestsPerSecond: number;
  /** CPU of the target's processes and of its Postgres backends per request served, in the same round (its inverse: throughput per core). */
  cpuPerRequestMs: number;
}

/**
 * The closed loop's figure, once the target's throughput stopped rising (load.ts, `untilSteady`):
 * the best round after the first. Processes farebox adds under the load start in the first round.
 */
async function saturate(target: Target): Promise<Saturated> {
  const closedLoop = async () => {
    const cpuPerRequest = await cpuFrom(target);
    const result = await runClosedLoop({ url: target.url, path: target.path, headers: target.headers, body: bodyFor(target.models.plain, false), concurrency: CONCURRENCY, durationMs: DURATION_MS });
    const cpu = cpuPerRequest(result.served);
    return { ...result, cpuPerRequestMs: cpu.cpuPerRequestMs + (cpu.databaseCpuPerRequestMs ?? 0) };
  };
  const { best, rounds } = await untilSteady(closedLoop);
  const each = rounds.map((round) => `${round.requestsPerSecond.toFixed(0)}${round.errors ? ` (${round.errors} errors)` : ""}`);
  log(`closed loop ${target.name}: ${best.requestsPerSecond.toFixed(0)} req/s, CPU ${fmt(best.cpuPerRequestMs, 3)} ms/req with any Postgres backends (rounds: ${each.join(", ")})`);
  return best;
}

async function main(): Promise<void> {
  // before anything is measured: the first run installs the old release's dependencies
  const oldRelease = oldReleaseCheckout(log);
  const loadAtStart = loadavg()[0]!;
  const upstream = await startUpstream();
  const nodeProxy = await startBenchServer("bench/node-proxy.ts", upstream.url);
  const nginxBinary = ensureNginx(log);
  const nginx: Nginx | undefined = nginxBinary ? await startNginx(nginxBinary, upstream.url) : undefined;
  log(`starting farebox on PostgreSQL (npm start; BYOK on, info logging, ${LEDGER_ENTRIES.toLocaleString("en")} ledger entries)…`);
  const logFile = join(tmpdir(), `farebox-bench-${process.pid}.log`);
  const farebox = await startFarebox({ upstreamUrl: upstream.url, adminDatabaseUrl: ADMIN_DATABASE_URL, seedEntries: LEDGER_ENTRIES, logFile });
  const pg = postgres(ADMIN_DATABASE_URL, { max: 1, onnotice: () => undefined });
  const fareboxPg = fareboxTarget("farebox", farebox, pg);
  const idleRssMb = rssMb(fareboxPg.pids());
  const workers = fareboxPg.pids().length;
  const direct: Target = { name: "direct", url: upstream.url, path: "/v1/chat/completions", headers: { authorization: "Bearer bench", "content-type": "application/json" }, models: { plain: "bench-model", spaced: "bench-spaced" }, pids: () => [upstream.child.pid!] };
  const targets: Target[] = [direct];
  if (nginx) targets.push({ ...direct, name: "nginx", url: nginx.url, pids: () => processTree(nginx.child.pid!) });
  targets.push({ ...direct, name: "node", url: nodeProxy.url, pids: () => processTree(nodeProxy.child.pid!, "node") });
  if (env.BENCH_PEER_URL) {
    targets.push({
      name: env.BENCH_PEER_NAME ?? "peer",
      url: env.BENCH_PEER_URL,
      path: env.BENCH_PEER_PATH ?? "/v1/chat/completions",
      headers: { "content-type": "application/json", ...(JSON.parse(env.BENCH_PEER_HEADERS ?? "{}") as Record<string, string>) },
      models: { plain: env.BENCH_PEER_MODEL ?? "bench-model", spaced: env.BENCH_PEER_SPACED_MODEL ?? "bench-spaced" },
      pids: () => (env.BENCH_PEER_PID ? processTree(Number(env.BENCH_PEER_PID)) : []),
    });
  }
  targets.push(fareboxPg);
  const pools = new Map(targets.map((target) => [target.name, loadPool(target.url, MAX_IN_FLIGHT)]));
  const runs: Run[] = [];
  let loadedRssMb = idleRssMb;
  let loadedWorkers = workers;
  let pglite: { startMs: number; idleRssMb: number; closedRps: number; run: Run } | undefined;
  try {
    log("warming up every target (connections, JIT, caches, reservations)…");
    for (const target of targets) {
      await measure(target, SCENARIOS[0]!, pools, 2_000);
      await measure(target, SCENARIOS[2]!, pools, 1_000);
    }
    for (let repetition = 0; repetition < REPEAT; repetition += 1) {
      for (const scenario of SCENARIOS) {
        // interleaved: each repetition starts with another target
        for (let i = 0; i < targets.length; i += 1) {
          const target = targets[(i + repetition) % targets.length]!;
          const { value: run, peakMb } = await peakRss(target.pids, () => measure(target, scenario, pools));
          if (target === fareboxPg) {
            loadedRssMb = Math.max(loadedRssMb, peakMb);
            loadedWorkers = Math.max(loadedWorkers, fareboxPg.pids().length);
          }
          runs.push(run);
          log(`${scenario.name} ${scenario.rate}/s ${target.name}: p50 ${fmt(p(run, 0.5))} p99 ${fmt(p(run, 0.99))} ms, ${run.result.latenciesMs.length} served, ${run.result.errors} failed, CPU ${fmt(run.cpuPerRequestMs, 3)} ms/req${run.databaseCpuPerRequestMs === undefined ? "" : ` + Postgres ${fmt(run.databaseCpuPerRequestMs, 3)}`}`);
        }
      }
    }
    const closed = new Map<string, Saturated>();
    for (const target of targets) {
      const { value, peakMb } = await peakRss(target.pids, () => saturate(target));
      if (target === fareboxPg) {
        loadedRssMb = Math.max(loadedRssMb, peakMb);
        loadedWorkers = Math.max(loadedWorkers, fareboxPg.pids().length);
      }
      closed.set(target.name, value);
    }
    await Promise.all([...pools.values()].map((pool) => pool.close()));
    await farebox.stop();
    if (oldRelease) closed.set(OLD_RELEASE_NAME, await measureOldRelease(oldRelease, upstream.url, pg));
    if (WITH_PGLITE) pglite = await measurePglite(upstream.url, logFile);
    const loadAtEnd = loadavg()[0]!;
    const report = writeReport({ runs, targets: targets.map((t) => t.name), closed, farebox, workers, loadedWorkers, idleRssMb, loadedRssMb, pglite, loadAtStart, loadAtEnd });
    log(`\n${report}`);
  } finally {
    await pg.end();
    await nginx?.stop();
    upstream.child.kill("SIGTERM");
    nodeProxy.child.kill("SIGTERM");
    if (farebox.child.exitCode === null) await farebox.stop();
  }
}

/**
 * The old release's closed loop, as today's is measured: its own `npm start`, on PostgreSQL with the
 * same ledger, BYOK on, info logging. NaN (said why) when it does not start: the rest of the report stands.
 */
async function measureOldRelease(directory: string, upstreamUrl: string, pg: postgres.Sql): Promise<Saturated> {
  log(`starting the old release ${OLD_RELEASE?.slice(0, 7)} on PostgreSQL (its npm start)…`);
  const logFile = join(tmpdir(), `farebox-bench-old-release-${process.pid}.log`);
  let farebox: FareboxProcess;
  try {
    farebox = await startFarebox({ upstreamUrl, adminDatabaseUrl: ADMIN_DATABASE_URL, seedEntries: LEDGER_ENTRIES, logFile, directory });
  } catch (error) {
    log(`the old release did not start (${(error as Error).message.split("\n")[0]}; its log: ${logFile}): the report has no old-release figure`);
    return { requestsPerSecond: Number.NaN, cpuPerRequestMs: Number.NaN };
  }
  try {
    return await saturate(fareboxTarget(OLD_RELEASE_NAME, farebox, pg));
  } finally {
    await farebox.stop();
  }
}

/** farebox on embedded PGlite (a first start: a fresh data directory): start, idle memory, closed-loop and 500/s figures. */
async function measurePglite(upstreamUrl: string, logFile: string): Promise<{ startMs: number; idleRssMb: number; closedRps: number; run: Run }> {
  log("starting farebox on embedded PGlite (first start: a fresh data directory)…");
  const farebox = await startFarebox({ upstreamUrl, adminDatabaseUrl: undefined, seedEntries: 0, logFile });
  try {
    const target = fareboxTarget("farebox (PGlite)", farebox, undefined);
    const idle = rssMb(target.pids());
    const pools = new Map([[target.name, loadPool(target.url, MAX_IN_FLIGHT)]]);
    await measure(target, SCENARIOS[0]!, pools, 2_000);
    const run = await measure(target, SCENARIOS[0]!, pools);
    await pools.get(target.name)!.close();
    const closed = await runClosedLoop({ url: target.url, path: target.path, headers: target.headers, body: bodyFor("bench/model", false), concurrency: CONCURRENCY, durationMs: DURATION_MS });
    log(`PGlite: ready in ${(farebox.startMs / 1000).toFixed(1)} s, idle ${idle.toFixed(0)} MB, closed loop ${closed.requestsPerSecond.toFixed(0)} req/s, 500/s p50 ${fmt(p(run, 0.5))} p99 ${fmt(p(run, 0.99))} ms`);
    return { startMs: farebox.startMs, idleRssMb: idle, closedRps: closed.requestsPerSecond, run };
  } finally {
    await farebox.stop();
  }
}

interface ReportInput {
  runs: Run[];
  targets: string[];
  closed: Map<string, Saturated>;
  farebox: FareboxProcess;
  /** farebox's node processes at idle, and under load (FAREBOX_WORKERS=auto adds them as the load needs). */
  workers: number;
  loadedWorkers: number;
  idleRssMb: number;
  loadedRssMb: number;
  pglite: { startMs: number; idleRssMb: number; closedRps: number; run: Run } | undefined;
  loadAtStart: number;
  loadAtEnd: number;
}

function writeReport(input: ReportInput): string {
  const { runs, targets } = input;
  const of = (target: string, scenario: Scenario) => runs.filter((run) => run.target === target && run.scenario === scenario.name && run.rate === scenario.rate);
  /** Median over repetitions of a figure that compares a target's run with direct's run of the same repetition. */
  const added = (target: string, scenario: Scenario, fraction: number) => {
    const mine = of(target, scenario);
    const base = of("direct", scenario);
    return median(mine.map((run, i) => p(run, fraction) - (base[i] ? p(base[i], fraction) : Number.NaN)));
  };
  const cpu = (target: string, scenario: Scenario) => median(of(target, scenario).map((run) => run.cpuPerRequestMs));
  const dbCpu = (target: string, scenario: Scenario) => median(of(target, scenario).map((run) => run.databaseCpuPerRequestMs ?? Number.NaN));
  const rows: string[] = [];
  for (const scenario of SCENARIOS) {
    for (const target of targets) {
      const mine = of(target, scenario);
      const failed = mine.reduce((sum, run) => sum + run.result.errors, 0);
      const served = Math.min(...mine.map((run) => (run.result.latenciesMs.length / run.result.elapsedMs) * 1000));
      const fareboxCpu = target.startsWith("farebox") && Number.isFinite(dbCpu(target, scenario)) ? ` + ${fmt(dbCpu(target, scenario), 3)}` : "";
      rows.push(
        `| ${scenario.name} | ${scenario.rate} | ${target} | ${fmt(median(mine.map((run) => p(run, 0.5))))} / ${fmt(median(mine.map((run) => p(run, 0.99))))} | ${target === "direct" ? "–" : `${fmt(added(target, scenario, 0.5))} / ${fmt(added(target, scenario, 0.99))}`} | ${fmt(cpu(target, scenario), 3)}${fareboxCpu} | ${served.toFixed(0)} | ${failed} |`,
      );
    }
  }
  const ratio = (a: number, b: number) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(1)}×` : "–");
  const at1000 = SCENARIOS[1]!;
  const at500 = SCENARIOS[0]!;
  const stream = SCENARIOS[2]!;
  const closedRow = [...input.closed].map(([target, { requestsPerSecond }]) => `${target} ${fmt(requestsPerSecond, 0)}`).join(", ");
  const { requestsPerSecond: fareboxClosed, cpuPerRequestMs: fareboxClosedCpu } = input.closed.get("farebox") ?? { requestsPerSecond: Number.NaN, cpuPerRequestMs: Number.NaN };
  const oldReleaseClosed = input.closed.get(OLD_RELEASE_NAME);
  const toOldRelease =
    oldReleaseClosed === undefined
      ? ""
      : `${ratio(fareboxClosed, oldReleaseClosed.requestsPerSecond)} the old release's (${OLD_RELEASE?.slice(0, 7)}) and ${ratio(oldReleaseClosed.cpuPerRequestMs, fareboxClosedCpu)} its throughput per core (CPU per request with Postgres ${fmt(fareboxClosedCpu, 3)} against ${fmt(oldReleaseClosed.cpuPerRequestMs, 3)} ms), `;
  const fareboxCpu1000 = cpu("farebox", at1000) + dbCpu("farebox", at1000);
  const pgliteLine = input.pglite
    ? `| embedded PGlite (one process): first start to /ready, idle RSS, closed loop, added p50 / p99 at 500/s | ${(input.pglite.startMs / 1000).toFixed(1)} s, ${input.pglite.idleRssMb.toFixed(0)} MB, ${input.pglite.closedRps.toFixed(0)} req/s (${ratio(fareboxClosed, input.pglite.closedRps)} below PostgreSQL mode), ${fmt(p(input.pglite.run, 0.5) - median(of("direct", at500).map((run) => p(run, 0.5))))} / ${fmt(p(input.pglite.run, 0.99) - median(of("direct", at500).map((run) => p(run, 0.99))))} ms | ≤ 300 MB idle, within 2× |`
    : "";
  const text = `# Benchmark run: farebox beside a bare proxy

Command: \`npm run bench\` (BENCH_DURATION_MS=${DURATION_MS}, BENCH_REPEAT=${REPEAT}, BENCH_CONCURRENCY=${CONCURRENCY}, BENCH_LEDGER_ENTRIES=${LEDGER_ENTRIES}).
Run on ${new Date().toISOString().slice(0, 16)} UTC, ${cpus().length} cores (${cpus()[0]?.model ?? "unknown CPU"}), Node ${process.version};
load average ${input.loadAtStart.toFixed(1)} at the start and ${input.loadAtEnd.toFixed(1)} at the end (above ≈0.5 other work shares the
cores: latency figures are then not comparable with a quiet run; CPU per request mostly is).
farebox: \`npm start\` (${input.workers} node ${input.workers === 1 ? "process" : "processes"} idle, ${input.loadedWorkers} under load), PostgreSQL at ${new URL(ADMIN_DATABASE_URL).host}, BYOK on, info logging to a file,
every request billed; ready ${(input.farebox.startMs / 1000).toFixed(1)} s after its start command ran.

## Headline: farebox against nginx, same machine, same run

| figure | farebox | target |
|---|---|---|
| CPU per request at 1,000 req/s, non-stream (farebox + its Postgres backends) | ${fmt(cpu("farebox", at1000), 3)} + ${fmt(dbCpu("farebox", at1000), 3)} ms: ${ratio(fareboxCpu1000, cpu("nginx", at1000))} nginx's ${fmt(cpu("nginx", at1000), 3)} ms, ${ratio(fareboxCpu1000, cpu("node", at1000))} the bare Node proxy's ${fmt(cpu("node", at1000), 3)} ms | ≤ 0.3 ms |
| added p50 / p99 at 1,000 req/s | ${fmt(added("farebox", at1000, 0.5))} / ${fmt(added("farebox", at1000, 0.99))} ms (nginx ${fmt(added("nginx", at1000, 0.5))} / ${fmt(added("nginx", at1000, 0.99))}) | ≤ 1 / ≤ 10 ms |
| added p99 at 500 req/s | ${fmt(added("farebox", at500, 0.99))} ms (nginx ${fmt(added("nginx", at500, 0.99))}) | ≤ 5 ms |
| added time to first token p50, spaced stream at 500 req/s | ${fmt(added("farebox", stream, 0.5))} ms (nginx ${fmt(added("nginx", stream, 0.5))}) | ≤ 1 ms |
| closed loop, ${CONCURRENCY} in flight (the best ${DURATION_MS / 1000} s round once it stopped rising) | ${fmt(fareboxClosed, 0)} req/s: ${toOldRelease}${ratio(fareboxClosed, input.closed.get("nginx")?.requestsPerSecond ?? Number.NaN)} nginx's, ${ratio(fareboxClosed, input.closed.get("node")?.requestsPerSecond ?? Number.NaN)} the bare Node proxy's (${closedRow}) | ≥ 3× the old release |
| RSS of every farebox process, idle / under load | ${input.idleRssMb.toFixed(0)} / ${input.loadedRssMb.toFixed(0)} MB | ≤ 150 / ≤ 250 MB |
${pgliteLine}

## Every scenario (median of ${REPEAT} interleaved repetitions; latency from the scheduled send time, ms)

| scenario | offered req/s | target | p50 / p99 | added p50 / p99 | CPU ms per request (+ Postgres) | served req/s (lowest) | failed or dropped |
|---|---|---|---|---|---|---|---|
${rows.join("\n")}
`;
  writeFileSync(new URL("./latest-run.md", import.meta.url), text);
  return text;
}

await main();
