/**
 * The young generation's settings side by side (`node --import tsx bench/young-generation.ts`):
 * for each node flag set in YOUNG_FLAGS (separated by "|"; default `npm start`'s flags and smaller
 * minimum semispaces), one gateway process (FAREBOX_WORKERS=1) on PostgreSQL with
 * `--trace-gc-nvp`, in YOUNG_ROUNDS rounds (default 3) alternating the sets. Each run: RSS idle
 * 5 s after /ready; YOUNG_LOAD_MS (default 6,000) at YOUNG_RATE per second (default 1,000) with its
 * CPU per request (/proc) and RSS; YOUNG_QUIET_MS (default 12,000) quiet and RSS; then a burst of
 * 2 s at the same rate: its scavenges, bytes promoted and full collections per 1,000 requests (what
 * a young generation shrunk by the quiet period costs) beside the steady load's.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { startFarebox, startNodeFlags } from "./farebox-process.js";
import { benchChatLoad, loadPool, runLoad } from "./load.js";
import { cpuMs, processTree, rssMb } from "./proc-stats.js";

const RATE = Number(process.env.YOUNG_RATE ?? 1_000);
const LOAD_MS = Number(process.env.YOUNG_LOAD_MS ?? 6_000);
const QUIET_MS = Number(process.env.YOUNG_QUIET_MS ?? 12_000);
const BURST_MS = 2_000;
const ROUNDS = Number(process.env.YOUNG_ROUNDS ?? 3);
const FLAG_SETS = (process.env.YOUNG_FLAGS ?? `${startNodeFlags()}|--min-semi-space-size=8|--min-semi-space-size=4`).split("|").map((flags) => flags.trim());
const ADMIN_DATABASE_URL = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

interface Collections {
  scavenges: number;
  scavengeMs: number;
  promotedMb: number;
  full: number;
}

/** The collections `--trace-gc-nvp` wrote to `logFile` from byte `from` on. */
function collectionsSince(logFile: string, from: number): Collections {
  const text = readFileSync(logFile).subarray(from).toString("utf8");
  const found: Collections = { scavenges: 0, scavengeMs: 0, promotedMb: 0, full: 0 };
  for (const line of text.split("\n")) {
    const kind = / gc=(\w+) /.exec(line)?.[1];
    if (!kind) continue;
    if (kind === "s") {
      found.scavenges += 1;
      found.scavengeMs += Number(/ pause=([\d.]+)/.exec(line)?.[1] ?? 0);
    }
    else if (kind === "mc" || kind === "ms") found.full += 1;
    found.promotedMb += Number(/ promoted=(\d+)/.exec(line)?.[1] ?? 0) / 1024 / 1024;
  }
  return found;
}

async function run(upstreamUrl: string, flags: string): Promise<string> {
  process.env.FAREBOX_WORKERS = "1";
  process.env.BENCH_FAREBOX_START = `node ${flags} --trace-gc-nvp src/start.js`;
  const logFile = join(mkdtempSync(join(tmpdir(), "farebox-young-")), "farebox.log");
  const farebox = await startFarebox({ upstreamUrl, adminDatabaseUrl: ADMIN_DATABASE_URL, seedEntries: 0, logFile });
  const pool = loadPool(farebox.url, 1_024);
  const load = (durationMs: number) => runLoad(benchChatLoad(farebox, RATE, durationMs, 1_024), pool);
  try {
    const pids = processTree(farebox.child.pid!, "node");
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const idle = rssMb(pids);
    const loadFrom = statSync(logFile).size;
    const cpuBefore = cpuMs(pids);
    const steady = await load(LOAD_MS);
    const cpuPerRequest = (cpuMs(pids) - cpuBefore) / Math.max(1, steady.latenciesMs.length);
    const loaded = rssMb(pids);
    const steadyGc = collectionsSince(logFile, loadFrom);
    await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
    const quiet = rssMb(pids);
    const burstFrom = statSync(logFile).size;
    const burst = await load(BURST_MS);
    const burstGc = collectionsSince(logFile, burstFrom);
    // per 1,000 requests served: the machine may not keep the offered rate
    const perThousand = (found: Collections, served: number) =>
      `${((found.scavenges * 1000) / Math.max(1, served)).toFixed(1)} scavenges (${((found.scavengeMs * 1000) / Math.max(1, served)).toFixed(1)} ms paused) and ${((found.promotedMb * 1000) / Math.max(1, served)).toFixed(2)} MB promoted per 1,000 requests, ${found.full} full`;
    return (
      `[${flags}] RSS idle ${idle.toFixed(0)} / loaded ${loaded.toFixed(0)} / after quiet ${quiet.toFixed(0)} / after burst ${rssMb(pids).toFixed(0)} MB; ` +
      `CPU ${cpuPerRequest.toFixed(3)} ms/request (${steady.latenciesMs.length} served, ${steady.errors} failed); ` +
      `steady: ${perThousand(steadyGc, steady.latenciesMs.length)}; burst after ${QUIET_MS / 1000} s quiet (${burst.latenciesMs.length} served): ${perThousand(burstGc, burst.latenciesMs.length)}\n`
    );
  } finally {
    await pool.close();
    await farebox.stop();
  }
}

async function main(): Promise<void> {
  const upstreamChild = spawn(process.execPath, ["--import", "tsx", "bench/upstream-server.ts"], { stdio: ["ignore", "pipe", "inherit"] });
  const upstreamUrl = await new Promise<string>((resolve) =>
    createInterface({ input: upstreamChild.stdout! }).once("line", (line) => resolve((JSON.parse(line) as { url: string }).url)),
  );
  try {
    for (let round = 1; round <= ROUNDS; round += 1) {
      for (const flags of FLAG_SETS) process.stdout.write(`round ${round} ${await run(upstreamUrl, flags)}`);
    }
  } finally {
    upstreamChild.kill("SIGTERM");
  }
}

await main();
