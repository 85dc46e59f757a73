/**
 * Resident memory of farebox as `npm start` runs it on PostgreSQL (npm run bench:memory): its
 * processes (MEMORY_WORKERS as FAREBOX_WORKERS, default auto as npm start: one idle, more as the load needs them), each one's RSS (and of it, the
 * anonymous part: heaps; the rest is mapped files: node's binary, shared libraries) idle
 * MEMORY_IDLE_MS after /ready, and again after MEMORY_DURATION_MS (default 10,000) of
 * non-stream requests at MEMORY_RATE per second (default 1,000). A bare node process waiting on a
 * timer is measured alongside: the floor every process pays. BENCH_FAREBOX_START runs another
 * command (e.g. other V8 flags). MEMORY_BREAKDOWN=1 also prints what each process's memory is made
 * of at both points (bench/memory-breakdown.ts, preloaded into `npm start`'s node command, or with
 * MEMORY_NODE_FLAGS instead of its flags).
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { buildSync } from "esbuild";
import { startFarebox, startNodeFlags } from "./farebox-process.js";
import { benchChatLoad, loadPool, percentileOf, runLoad } from "./load.js";
import { processTree } from "./proc-stats.js";

const RATE = Number(process.env.MEMORY_RATE ?? 1_000);
const DURATION_MS = Number(process.env.MEMORY_DURATION_MS ?? 10_000);
const IDLE_MS = Number(process.env.MEMORY_IDLE_MS ?? 5_000);
const WORKERS = process.env.MEMORY_WORKERS ?? "auto";
const BREAKDOWN = process.env.MEMORY_BREAKDOWN === "1";
const ADMIN_DATABASE_URL = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

/** RSS, its anonymous part and the node binary's resident pages of one process, in MB, from /proc/<pid>/status and smaps. */
function memoryOf(pid: number): { rss: number; anon: number; binary: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, "m").exec(status)?.[1] ?? 0);
  const executable = readlinkSync(`/proc/${pid}/exe`);
  let binaryKb = 0;
  let inBinary = false;
  for (const line of readFileSync(`/proc/${pid}/smaps`, "utf8").split("\n")) {
    if (/^[0-9a-f]+-[0-9a-f]+ /.test(line)) inBinary = line.endsWith(` ${executable}`);
    else if (inBinary && line.startsWith("Rss:")) binaryKb += Number(/(\d+)/.exec(line)![1]);
  }
  return { rss: kb("VmRSS") / 1024, anon: kb("RssAnon") / 1024, binary: binaryKb / 1024 };
}

/** One line per process (the primary is the one whose parent is not a node process) and their sum. */
function report(label: string, root: number): string {
  const pids = processTree(root, "node");
  const parent = (pid: number) => Number(readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ")[1]);
  const primary = pids.find((pid) => !pids.includes(parent(pid)));
  const rows = pids.map((pid) => ({ name: pid === primary ? "primary" : "worker", ...memoryOf(pid) }));
  rows.sort((a, b) => (a.name === b.name ? 0 : a.name === "primary" ? -1 : 1));
  const total = rows.reduce((sum, row) => sum + row.rss, 0);
  // the node binary's pages are one copy in memory however many processes map them
  const binaryOnce = total - rows.reduce((sum, row) => sum + row.binary, 0) + Math.max(...rows.map((row) => row.binary));
  const lines = rows.map(
    (row) => `  ${row.name.padEnd(8)} RSS ${row.rss.toFixed(0).padStart(4)} MB (anonymous ${row.anon.toFixed(0)} MB, node binary ${row.binary.toFixed(0)} MB)`,
  );
  return `${label}: all ${rows.length} processes ${total.toFixed(0)} MB (${binaryOnce.toFixed(0)} MB with the node binary counted once)\n${lines.join("\n")}\n`;
}

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

/** Each process's own account of its memory (bench/memory-breakdown.ts), asked for with SIGUSR2. */
async function breakdowns(root: number, output: string): Promise<string> {
  const pids = processTree(root, "node");
  for (const pid of pids) rmSync(`${output}.${pid}.json`, { force: true });
  for (const pid of pids) process.kill(pid, "SIGUSR2");
  const lines: string[] = [];
  for (const pid of pids) {
    const file = `${output}.${pid}.json`;
    while (!existsSync(file)) await new Promise((resolve) => setTimeout(resolve, 20));
    const one = JSON.parse(readFileSync(file, "utf8")) as {
      memoryUsage: NodeJS.MemoryUsage;
      heapSpaces: { space: string; size: number; used: number; resident: number }[];
      code: { code_and_metadata_size: number; bytecode_and_metadata_size: number; external_script_source_size: number };
      residentKbByMapping: Record<string, number>;
    };
    const usage = one.memoryUsage;
    lines.push(
      `  pid ${pid}: rss ${mb(usage.rss)} heapTotal ${mb(usage.heapTotal)} heapUsed ${mb(usage.heapUsed)} external ${mb(usage.external)} (arrayBuffers ${mb(usage.arrayBuffers)}) MB`,
      `    heap spaces (used / resident / reserved MB): ${one.heapSpaces.map((space) => `${space.space} ${mb(space.used)}/${mb(space.resident)}/${mb(space.size)}`).join(", ")}`,
      `    code: machine code ${mb(one.code.code_and_metadata_size)}, bytecode ${mb(one.code.bytecode_and_metadata_size)}, script source outside the heap ${mb(one.code.external_script_source_size)} MB`,
      `    resident by mapping (MB): ${Object.entries(one.residentKbByMapping)
        .sort((a, b) => b[1] - a[1])
        .map(([name, kb]) => `${name} ${(kb / 1024).toFixed(1)}`)
        .join(", ")}`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/** The preloaded breakdown recorder as plain JavaScript (a loader such as tsx would change what is measured). */
function compiledBreakdownRecorder(dir: string): string {
  const outfile = join(dir, "memory-breakdown.mjs");
  buildSync({ entryPoints: [join(import.meta.dirname, "memory-breakdown.ts")], outfile, format: "esm", platform: "node", logLevel: "warning" });
  return outfile;
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
  const dir = mkdtempSync(join(tmpdir(), "farebox-memory-"));
  const logFile = join(dir, "farebox.log");
  const breakdownOut = join(dir, "breakdown");
  if (BREAKDOWN) {
    process.env.FAREBOX_MEMORY_OUT = breakdownOut;
    const nodeFlags = process.env.MEMORY_NODE_FLAGS ?? startNodeFlags();
    process.env.BENCH_FAREBOX_START = `node ${nodeFlags} --import ${compiledBreakdownRecorder(dir)} src/start.js`;
  }
  const farebox = await startFarebox({ upstreamUrl, adminDatabaseUrl: ADMIN_DATABASE_URL, seedEntries: 0, logFile });
  process.stdout.write(`start to /ready: ${farebox.startMs.toFixed(0)} ms\n`);
  const pool = loadPool(farebox.url, 1_024);
  try {
    await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
    process.stdout.write(report(`idle ${IDLE_MS / 1000} s after ready`, farebox.child.pid!));
    if (BREAKDOWN) process.stdout.write(await breakdowns(farebox.child.pid!, breakdownOut));
    const result = await runLoad(benchChatLoad(farebox, RATE, DURATION_MS, 1_024), pool);
    process.stdout.write(
      report(
        `after ${DURATION_MS / 1000} s at ${RATE}/s (${result.latenciesMs.length} served, ${result.errors} failed ${JSON.stringify(result.statuses)}, p99 ${percentileOf(result.latenciesMs, 0.99).toFixed(1)} ms)`,
        farebox.child.pid!,
      ),
    );
    if (BREAKDOWN) process.stdout.write(await breakdowns(farebox.child.pid!, breakdownOut));
  } finally {
    await pool.close();
    await farebox.stop();
    upstreamChild.kill("SIGTERM");
  }
}

await main();
