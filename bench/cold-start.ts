/**
 * What a cold start costs under load (`node --import tsx bench/cold-start.ts`): farebox as `npm
 * start` runs it on PostgreSQL (a cluster of COLD_WORKERS workers, default 2), then bench:memory's
 * load (COLD_RATE non-stream requests per second, default 1,000, for COLD_DURATION_MS, default
 * 10,000) twice on the same processes, each COLD_IDLE_MS (default 5,000) after the previous step
 * and each on a fresh client pool (new connections both times): first on the cold processes, then
 * on the same processes warmed by the first round. Both rounds see the same machine, so what differs
 * is the processes' state (JIT, caches, pools), not the machine's load. Prints, per round, served,
 * failed (with the statuses answered; a failure with no status is a request the generator did not
 * send because COLD_MAX_IN_FLIGHT were in flight, or a connection error), p50/p99 and farebox's CPU
 * per served request, and the machine's load average when the round started.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { startFarebox } from "./farebox-process.js";
import { benchChatLoad, loadPool, percentileOf, runLoad } from "./load.js";
import { cpuMs, processTree } from "./proc-stats.js";

const RATE = Number(process.env.COLD_RATE ?? 1_000);
const DURATION_MS = Number(process.env.COLD_DURATION_MS ?? 10_000);
const IDLE_MS = Number(process.env.COLD_IDLE_MS ?? 5_000);
const MAX_IN_FLIGHT = Number(process.env.COLD_MAX_IN_FLIGHT ?? 1_024);
const ADMIN_DATABASE_URL = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

async function main(): Promise<void> {
  process.env.FAREBOX_WORKERS = process.env.COLD_WORKERS ?? "2";
  const upstreamChild = spawn(process.execPath, ["--import", "tsx", "bench/upstream-server.ts"], { stdio: ["ignore", "pipe", "inherit"] });
  const upstreamUrl = await new Promise<string>((resolve) =>
    createInterface({ input: upstreamChild.stdout! }).once("line", (line) => resolve((JSON.parse(line) as { url: string }).url)),
  );
  const logFile = join(mkdtempSync(join(tmpdir(), "farebox-cold-")), "farebox.log");
  const farebox = await startFarebox({ upstreamUrl, adminDatabaseUrl: ADMIN_DATABASE_URL, seedEntries: 0, logFile });
  process.stdout.write(`start to /ready: ${farebox.startMs.toFixed(0)} ms (log: ${logFile})\n`);
  const nodes = processTree(farebox.child.pid!, "node");
  try {
    for (const round of ["cold", "warm"]) {
      await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
      const loadAverage = readFileSync("/proc/loadavg", "utf8").split(" ")[0];
      const pool = loadPool(farebox.url, MAX_IN_FLIGHT);
      const cpuBefore = cpuMs(nodes);
      const result = await runLoad(benchChatLoad(farebox, RATE, DURATION_MS, MAX_IN_FLIGHT), pool);
      const cpuPerServed = (cpuMs(nodes) - cpuBefore) / Math.max(1, result.latenciesMs.length);
      await pool.close();
      process.stdout.write(
        `${round}: load average ${loadAverage}, ${result.latenciesMs.length} served, ${result.errors} failed ${JSON.stringify(result.statuses)}, ` +
          `p50 ${percentileOf(result.latenciesMs, 0.5).toFixed(1)} ms, p99 ${percentileOf(result.latenciesMs, 0.99).toFixed(1)} ms, farebox CPU ${cpuPerServed.toFixed(2)} ms per served request\n`,
      );
    }
  } finally {
    await farebox.stop();
    upstreamChild.kill("SIGTERM");
  }
}

await main();
