/**
 * Where farebox's CPU goes on the request path (npm run bench:profile): one compiled gateway
 * process (FAREBOX_WORKERS=1) on a fresh PostgreSQL database, BYOK on, info logging to a file,
 * under V8's sampling profiler (--cpu-prof), fed PROFILE_RATE requests/s (default 500) of one
 * scenario for PROFILE_DURATION_MS (default 10,000) after a warm-up; then prints its CPU per
 * request from /proc and the profile summarised: self time by package (or farebox source file) and
 * the heaviest functions, and what the requests cost Postgres: the CPU of the backends serving
 * farebox's database per request, and the transactions and rows written per request
 * (database-stats.ts). PROFILE_STREAM=1 profiles the spaced stream instead; PROFILE_LEDGER_ENTRIES
 * (default 0) gives the account a ledger with that many past entries first. The .cpuprofile is
 * kept (its path is printed) for Chrome DevTools. PROFILE_SAMPLER=0 runs the same load without the
 * profiler and prints only the CPU per request, RSS and Postgres's figures: the sampler's own CPU
 * grows with wall time, so on a busy machine, where requests wait longer, it inflates the figure.
 * PROFILE_ALLOCATIONS=1 replaces the CPU sampler by V8's heap sampler (allocation-sampler.ts) over
 * the same window: bytes allocated per request by package and by function, collected objects
 * included (what the young generation's scavenges pay for). PROFILE_STALLS=1 (without the CPU
 * sampler too, alone or with PROFILE_ALLOCATIONS) prints how late the gateway's event loop ran
 * (p50, p99, max) and every garbage-collection pause over the window (loop-stalls.ts).
 * PROFILE_CLOSED_LOOP=<connections> replaces the open-loop load by a closed loop of that many
 * connections (each sends its next request as soon as the last answered, as `npm run bench`'s
 * closed loop): farebox at saturation, with its throughput. PROFILE_WORKERS (default 1) runs that
 * many gateway processes (2 is `npm start`'s cluster on this VM; CPU then counts all of them; the
 * sampler and recorders see only the first process, so use them with 1).
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { setTimeout } from "node:timers/promises";
import { allocationSummary, type AllocationProfile } from "./allocation-summary.js";
import { databaseStats, perRequest } from "./database-stats.js";
import type { LoopStalls } from "./loop-stalls.js";
import { ownerOf } from "./profile-owner.js";
import { startFarebox, startNodeFlags } from "./farebox-process.js";
import { loadPool, percentileOf, runClosedLoop, runLoad, type LoadResult } from "./load.js";
import { cpuMs, processTree, rssMb } from "./proc-stats.js";

const RATE = Number(process.env.PROFILE_RATE ?? 500);
const DURATION_MS = Number(process.env.PROFILE_DURATION_MS ?? 10_000);
const STREAM = process.env.PROFILE_STREAM === "1";
const LEDGER_ENTRIES = Number(process.env.PROFILE_LEDGER_ENTRIES ?? 0);
const ALLOCATIONS = process.env.PROFILE_ALLOCATIONS === "1";
const STALLS = process.env.PROFILE_STALLS === "1";
const SAMPLER = process.env.PROFILE_SAMPLER !== "0" && !ALLOCATIONS && !STALLS;
const CLOSED_LOOP = Number(process.env.PROFILE_CLOSED_LOOP ?? 0);
const WORKERS = process.env.PROFILE_WORKERS ?? "1";
const ADMIN_DATABASE_URL = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}
/** V8 stamps samples with the monotonic clock in µs, as process.hrtime does: the measured window in those units. */
const monotonicUs = () => Number(process.hrtime.bigint() / 1_000n);

/** Self time of the samples taken within [fromUs, toUs] (start-up and warm-up left out). */
function summarise(profile: Profile, fromUs: number, toUs: number): string {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (at >= fromUs && at <= toUs) selfUs.set(id, (selfUs.get(id) ?? 0) + delta);
  });
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const idle = [...selfUs].filter(([id]) => byId.get(id)!.callFrame.functionName === "(idle)").reduce((a, [, us]) => a + us, 0);
  const busy = total - idle;
  const owners = new Map<string, number>();
  const functions = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    if (functionName === "(idle)") continue;
    const owner = ownerOf(url, functionName);
    owners.set(owner, (owners.get(owner) ?? 0) + us);
    const name = `${functionName || "(anonymous)"} ${owner}:${lineNumber + 1}`;
    functions.set(name, (functions.get(name) ?? 0) + us);
  }
  const top = (map: Map<string, number>, count: number) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, count)
      .map(([name, us]) => `  ${((us / busy) * 100).toFixed(1).padStart(5)}%  ${name}`)
      .join("\n");
  return `busy ${(busy / 1000).toFixed(0)} ms of ${(total / 1000).toFixed(0)} ms sampled\n\nself time by owner (share of busy):\n${top(owners, 30)}\n\nheaviest functions (self):\n${top(functions, 40)}`;
}

/** Reads what a recorder preloaded into the gateway writes to `path` once told to stop (SIGUSR2). */
async function recorded<T>(path: string): Promise<T> {
  for (let waited = 0; !existsSync(path); waited += 100) {
    if (waited > 30_000) throw new Error(`the gateway's recorder wrote nothing to ${path}`);
    await setTimeout(100);
  }
  return JSON.parse(readFileSync(path, "utf8")) as T;
}

/** The event loop's delay and the GC pauses, longest first per kind. */
function stallSummary({ delayMs, pauses }: LoopStalls, windowMs: number): string {
  const byKind = new Map<string, number[]>();
  for (const pause of pauses) byKind.set(pause.kind, [...(byKind.get(pause.kind) ?? []), pause.ms]);
  const kinds = [...byKind].map(([kind, ms]) => {
    ms.sort((a, b) => b - a);
    const total = ms.reduce((sum, one) => sum + one, 0);
    return `  ${kind}: ${ms.length} (${((ms.length * 1000) / windowMs).toFixed(1)}/s, ${((total * 1000) / windowMs).toFixed(1)} ms/s), median ${ms[ms.length >> 1]!.toFixed(2)} ms, longest ${ms
      .slice(0, 8)
      .map((one) => one.toFixed(2))
      .join(" ")} ms`;
  });
  return `event-loop delay (1 ms timer): p50 ${delayMs.p50.toFixed(2)} p99 ${delayMs.p99.toFixed(2)} max ${delayMs.max.toFixed(2)} ms over ${delayMs.count} samples\nGC pauses:\n${kinds.join("\n") || "  none"}`;
}

async function main(): Promise<void> {
  const upstreamChild = spawn(process.execPath, ["--import", "tsx", "bench/upstream-server.ts"], { stdio: ["ignore", "pipe", "inherit"] });
  const upstreamUrl = await new Promise<string>((resolve) =>
    createInterface({ input: upstreamChild.stdout! }).once("line", (line) => resolve((JSON.parse(line) as { url: string }).url)),
  );
  const profileDir = mkdtempSync(join(tmpdir(), "farebox-profile-"));
  process.env.FAREBOX_WORKERS = WORKERS;
  const allocationProfile = join(profileDir, "allocations.json");
  process.env.FAREBOX_ALLOCATION_PROFILE = allocationProfile;
  const stallsFile = join(profileDir, "stalls.json");
  process.env.FAREBOX_STALLS_OUT = stallsFile;
  // recorders preloaded into the gateway: each starts at the first SIGUSR2 and writes at the next
  const recorders = [...(ALLOCATIONS ? ["allocation-sampler.ts"] : []), ...(STALLS ? ["loop-stalls.ts"] : [])];
  const sampler = SAMPLER
    ? ` --cpu-prof --cpu-prof-dir=${profileDir}`
    : recorders.length > 0
      ? ` --import tsx${recorders.map((file) => ` --import ${join(import.meta.dirname, file)}`).join("")}`
      : "";
  // V8 flags as npm start's (PROFILE_NODE_FLAGS compares others)
  const nodeFlags = process.env.PROFILE_NODE_FLAGS ?? startNodeFlags();
  process.env.BENCH_FAREBOX_START = `node ${nodeFlags}${sampler} src/start.js`;
  const logFile = join(profileDir, "farebox.log");
  const farebox = await startFarebox({ upstreamUrl, adminDatabaseUrl: ADMIN_DATABASE_URL, seedEntries: LEDGER_ENTRIES, logFile });
  const database = databaseStats(ADMIN_DATABASE_URL, farebox.databaseName!);
  const pool = loadPool(farebox.url, 1_024);
  const request = {
    url: farebox.url,
    path: "/api/v1/chat/completions",
    headers: { authorization: `Bearer ${farebox.key}`, "content-type": "application/json" },
    body: JSON.stringify({ model: STREAM ? "bench/spaced" : "bench/model", messages: [{ role: "user", content: "Say something short about benchmarks." }], max_tokens: 64, stream: STREAM }),
  };
  const closedLoop = async (durationMs: number): Promise<LoadResult> => {
    const started = performance.now();
    const result = await runClosedLoop({ ...request, concurrency: CLOSED_LOOP, durationMs });
    return { latenciesMs: result.latenciesMs, errors: result.errors, elapsedMs: performance.now() - started, statuses: {} };
  };
  const load = (durationMs: number) =>
    CLOSED_LOOP > 0
      ? closedLoop(durationMs)
      : runLoad({ ...request, ratePerSecond: RATE, durationMs, maxInFlight: 1_024, ...(STREAM ? { untilText: '"The"' } : {}) }, pool);
  const window = { from: 0, to: 0 };
  let recordings = "";
  try {
    await load(3_000);
    const pids = processTree(farebox.child.pid!, "node");
    const backends = await database.backendPids();
    const databaseBefore = await database.snapshot();
    const backendsBefore = cpuMs(backends);
    const before = cpuMs(pids);
    const harnessBefore = cpuMs([process.pid, upstreamChild.pid!]);
    if (recorders.length > 0) process.kill(pids[0]!, "SIGUSR2");
    window.from = monotonicUs();
    const result = await load(DURATION_MS);
    window.to = monotonicUs();
    if (recorders.length > 0) {
      process.kill(pids[0]!, "SIGUSR2");
      const requests = Math.max(1, result.latenciesMs.length);
      if (ALLOCATIONS) recordings += `\n${allocationSummary(await recorded<AllocationProfile>(allocationProfile), requests)}\nallocation profile: ${allocationProfile}\n`;
      if (STALLS) recordings += `\n${stallSummary(await recorded<LoopStalls>(stallsFile), (window.to - window.from) / 1000)}\n`;
    }
    const served = Math.max(1, result.latenciesMs.length);
    const harnessMs = cpuMs([process.pid, upstreamChild.pid!]) - harnessBefore;
    // a backend opened during the window counts whole (it had used nothing before it)
    const backendsMs = cpuMs([...new Set([...backends, ...(await database.backendPids())])]) - backendsBefore;
    const databaseAfter = await database.snapshot();
    process.stdout.write(
      `${STREAM ? "spaced stream" : "non-stream"} ${CLOSED_LOOP > 0 ? `closed loop of ${CLOSED_LOOP} (${((served / result.elapsedMs) * 1000).toFixed(0)} req/s)` : `at ${RATE}/s`} on ${WORKERS} worker(s): ${served} served, ${result.errors} failed; p50 ${percentileOf(result.latenciesMs, 0.5).toFixed(2)} p99 ${percentileOf(result.latenciesMs, 0.99).toFixed(2)} ms; ` +
        `CPU ${((cpuMs(pids) - before) / served).toFixed(3)} ms/request (${SAMPLER ? "under the profiler" : "no profiler"}); RSS ${rssMb(pids).toFixed(0)} MB\n` +
        `Postgres: CPU ${(backendsMs / served).toFixed(3)} ms/request (${backends.length} backends); load generator + upstream ${(harnessMs / served).toFixed(3)} ms/request\n${perRequest(databaseBefore, databaseAfter, served)}\n`,
    );
  } finally {
    await pool.close();
    await database.close();
    await farebox.stop();
    upstreamChild.kill("SIGTERM");
  }
  if (recordings) process.stdout.write(recordings);
  if (!SAMPLER) return;
  const file = readdirSync(profileDir).find((name) => name.endsWith(".cpuprofile"));
  if (!file) throw new Error(`no profile written in ${profileDir}`);
  process.stdout.write(`\n${summarise(JSON.parse(readFileSync(join(profileDir, file), "utf8")) as Profile, window.from, window.to)}\n\nprofile: ${join(profileDir, file)}\n`);
}

await main();
