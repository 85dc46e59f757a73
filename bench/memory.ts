/**
 * Resident memory of farebox as `npm start` runs it on PostgreSQL (npm run bench:memory): the
 * cluster's primary and MEMORY_WORKERS workers (default 2), each process's RSS (and of it, the
 * anonymous part: heaps; the rest is mapped files: node's binary, shared libraries) idle
 * MEMORY_IDLE_MS after /ready, and again after MEMORY_DURATION_MS (default 10,000) of
 * non-stream requests at MEMORY_RATE per second (default 1,000). A bare node process waiting on a
 * timer is measured alongside: the floor every process pays. BENCH_FAREBOX_START runs another
 * command (e.g. other V8 flags).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { startFarebox } from "./farebox-process.js";
import { loadPool, percentileOf, runLoad } from "./load.js";
import { processTree } from "./proc-stats.js";

const RATE = Number(process.env.MEMORY_RATE ?? 1_000);
const DURATION_MS = Number(process.env.MEMORY_DURATION_MS ?? 10_000);
const IDLE_MS = Number(process.env.MEMORY_IDLE_MS ?? 5_000);
const WORKERS = process.env.MEMORY_WORKERS ?? "2";
const ADMIN_DATABASE_URL = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

/** RSS and its anonymous part of one process, in MB, from /proc/<pid>/status. */
function memoryOf(pid: number): { rss: number; anon: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, "m").exec(status)?.[1] ?? 0);
  return { rss: kb("VmRSS") / 1024, anon: kb("RssAnon") / 1024 };
}

/** One line per process (the primary is the one whose parent is not a node process) and their sum. */
function report(label: string, root: number): string {
  const pids = processTree(root, "node");
  const parent = (pid: number) => Number(readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ")[1]);
  const primary = pids.find((pid) => !pids.includes(parent(pid)));
  const rows = pids.map((pid) => ({ name: pid === primary && pids.length > 1 ? "primary" : "worker", ...memoryOf(pid) }));
  rows.sort((a, b) => (a.name === b.name ? 0 : a.name === "primary" ? -1 : 1));
  const total = rows.reduce((sum, row) => sum + row.rss, 0);
  const lines = rows.map((row) => `  ${row.name.padEnd(8)} RSS ${row.rss.toFixed(0).padStart(4)} MB (anonymous ${row.anon.toFixed(0)} MB)`);
  return `${label}: all ${rows.length} processes ${total.toFixed(0)} MB\n${lines.join("\n")}\n`;
}

async function bareNodeRssMb(): Promise<number> {
  const bare = spawn(process.execPath, ["-e", "setInterval(() => {}, 1e6)"], { stdio: "ignore" });
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const { rss } = memoryOf(bare.pid!);
  bare.kill("SIGTERM");
  return rss;
}

async function main(): Promise<void> {
  process.stdout.write(`bare node (node -e 'setInterval(()=>{},1e6)'): RSS ${(await bareNodeRssMb()).toFixed(0)} MB\n`);
  const upstreamChild = spawn(process.execPath, ["--import", "tsx", "bench/upstream-server.ts"], { stdio: ["ignore", "pipe", "inherit"] });
  const upstreamUrl = await new Promise<string>((resolve) =>
    createInterface({ input: upstreamChild.stdout! }).once("line", (line) => resolve((JSON.parse(line) as { url: string }).url)),
  );
  process.env.FAREBOX_WORKERS = WORKERS;
  const logFile = join(mkdtempSync(join(tmpdir(), "farebox-memory-")), "farebox.log");
  const farebox = await startFarebox({ upstreamUrl, adminDatabaseUrl: ADMIN_DATABASE_URL, seedEntries: 0, logFile });
  process.stdout.write(`start to /ready: ${farebox.startMs.toFixed(0)} ms\n`);
  const pool = loadPool(farebox.url, 1_024);
  try {
    await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
    process.stdout.write(report(`idle ${IDLE_MS / 1000} s after ready`, farebox.child.pid!));
    const result = await runLoad(
      {
        url: farebox.url,
        path: "/api/v1/chat/completions",
        headers: { authorization: `Bearer ${farebox.key}`, "content-type": "application/json" },
        body: JSON.stringify({ model: "bench/model", messages: [{ role: "user", content: "Say something short about benchmarks." }], max_tokens: 64 }),
        ratePerSecond: RATE,
        durationMs: DURATION_MS,
        maxInFlight: 1_024,
      },
      pool,
    );
    process.stdout.write(
      report(
        `after ${DURATION_MS / 1000} s at ${RATE}/s (${result.latenciesMs.length} served, ${result.errors} failed ${JSON.stringify(result.statuses)}, p99 ${percentileOf(result.latenciesMs, 0.99).toFixed(1)} ms)`,
        farebox.child.pid!,
      ),
    );
  } finally {
    await pool.close();
    await farebox.stop();
    upstreamChild.kill("SIGTERM");
  }
}

await main();
