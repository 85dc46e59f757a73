/**
 * The spaced stream alone (npm run bench:stream): time to the first token ('"The"', sent by the
 * fake upstream 20 ms after its role frame) straight from the upstream ("direct") and through
 * farebox, in interleaved rounds so both see the same machine load, and farebox's CPU per stream
 * from /proc. farebox runs as `npm start` does (compiled; FAREBOX_WORKERS as set, default one per
 * core) on a fresh Postgres database, BYOK on, info logging to a file.
 * Settings: STREAM_RATE (500 streams/s), STREAM_DURATION_MS (5000 per round), STREAM_ROUNDS (3).
 */
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { startFarebox } from "./farebox-process.js";
import { loadPool, percentileOf, runLoad } from "./load.js";
import { cpuMs, processTree, rssMb } from "./proc-stats.js";

const RATE = Number(process.env.STREAM_RATE ?? 500);
const DURATION_MS = Number(process.env.STREAM_DURATION_MS ?? 5_000);
const ROUNDS = Number(process.env.STREAM_ROUNDS ?? 3);
const ADMIN_DATABASE_URL = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

const body = (model: string) =>
  JSON.stringify({ model, messages: [{ role: "user", content: "Say something short about benchmarks." }], max_tokens: 64, stream: true });
const median = (values: number[]) => percentileOf(values, 0.5);

async function main(): Promise<void> {
  const upstreamChild = spawn(process.execPath, ["--import", "tsx", "bench/upstream-server.ts"], { stdio: ["ignore", "pipe", "inherit"] });
  const upstreamUrl = await new Promise<string>((resolve) =>
    createInterface({ input: upstreamChild.stdout! }).once("line", (line) => resolve((JSON.parse(line) as { url: string }).url)),
  );
  const logFile = join(mkdtempSync(join(tmpdir(), "farebox-stream-")), "farebox.log");
  const farebox = await startFarebox({ upstreamUrl, adminDatabaseUrl: ADMIN_DATABASE_URL, seedEntries: 0, logFile });
  const targets = [
    { name: "direct", url: upstreamUrl, path: "/v1/chat/completions", headers: { authorization: "Bearer bench" }, model: "bench-spaced" },
    { name: "farebox", url: farebox.url, path: "/api/v1/chat/completions", headers: { authorization: `Bearer ${farebox.key}` }, model: "bench/spaced" },
  ].map((target) => ({ ...target, pool: loadPool(target.url, 1_024) }));
  const load = (target: (typeof targets)[number], durationMs: number) =>
    runLoad(
      {
        url: target.url,
        path: target.path,
        headers: { ...target.headers, "content-type": "application/json" },
        body: body(target.model),
        ratePerSecond: RATE,
        durationMs,
        maxInFlight: 1_024,
        untilText: '"The"',
      },
      target.pool,
    );
  const added: number[] = [];
  const cpu: number[] = [];
  try {
    for (const target of targets) await load(target, 2_000);
    const pids = processTree(farebox.child.pid!, "node");
    for (let round = 1; round <= ROUNDS; round += 1) {
      const direct = await load(targets[0]!, DURATION_MS);
      const before = cpuMs(pids);
      const through = await load(targets[1]!, DURATION_MS);
      const perStream = (cpuMs(pids) - before) / Math.max(1, through.latenciesMs.length);
      const [d50, f50] = [median(direct.latenciesMs), median(through.latenciesMs)];
      added.push(f50 - d50);
      cpu.push(perStream);
      process.stdout.write(
        `round ${round}: first token p50 direct ${d50.toFixed(2)} ms, farebox ${f50.toFixed(2)} ms (added ${(f50 - d50).toFixed(2)}), p99 farebox ${percentileOf(through.latenciesMs, 0.99).toFixed(2)} ms; ` +
          `farebox CPU ${perStream.toFixed(3)} ms/stream; failed ${direct.errors}/${through.errors}; RSS ${rssMb(pids).toFixed(0)} MB; load ${loadavg()[0]!.toFixed(1)}\n`,
      );
    }
    process.stdout.write(`median of ${ROUNDS} rounds at ${RATE}/s: added first token p50 ${median(added).toFixed(2)} ms, CPU ${median(cpu).toFixed(3)} ms/stream\n`);
  } finally {
    for (const target of targets) await target.pool.close();
    await farebox.stop();
    upstreamChild.kill("SIGTERM");
  }
}

await main();
