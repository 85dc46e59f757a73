/**
 * farebox's overhead over calling the upstream directly (npm run bench).
 *
 * Three processes: a fake OpenAI upstream, farebox on real Postgres (billing on: every request
 * places a hold, settles it and writes its generation record), and this load generator. Each
 * scenario offers a fixed 500 requests/s (open loop) first straight to the upstream, then through
 * farebox, non-stream and stream; the added latency is the difference of the percentiles. Each
 * scenario runs BENCH_REPEAT times (direct, then farebox, back to back) and the report gives the
 * median repetition and the range, since one run on a shared VM can be a lucky or unlucky one. A
 * closed-loop run at fixed concurrency then measures the most requests/s farebox sustains.
 * Results go to stdout and bench/latest-run.md (copy the figures worth keeping into bench/RESULTS.md).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { createInterface } from "node:readline";
import { loadPool, percentileOf, runClosedLoop, runLoad, type LoadResult } from "./load.js";

const RATE = Number(process.env.BENCH_RATE ?? 500);
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 10_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const LOW_RATE = Number(process.env.BENCH_LOW_RATE ?? 10);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 3);
const SYNC_COMMIT = process.env.BENCH_SYNC_COMMIT === "off" ? "off" : "on";

/** The Node options `npm start` runs farebox with (package.json), so the benchmark runs it the same way. */
function startNodeOptions(): string[] {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { scripts: { start: string } };
  const words = pkg.scripts.start.split(/\s+/).slice(1);
  return words.filter((word, i) => word.startsWith("--") && word !== "--import" && words[i - 1] !== "--import");
}

function startChild(script: string, env: Record<string, string>, nodeOptions: string[] = []): Promise<{ child: ChildProcess; info: Record<string, string> }> {
  const child = spawn(process.execPath, [...nodeOptions, "--import", "tsx", script], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once("line", (line) => resolve({ child, info: JSON.parse(line) as Record<string, string> }));
    child.once("exit", (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}

const messages = [{ role: "user", content: "Say something short about benchmarks." }];
const body = (model: string, stream: boolean) => JSON.stringify({ model, messages, max_tokens: 64, stream });

interface Row {
  scenario: string;
  rate: number;
  direct: LoadResult;
  farebox: LoadResult;
}

const fmt = (ms: number) => ms.toFixed(2);

async function main(): Promise<void> {
  const upstream = await startChild("bench/upstream-server.ts", {});
  const farebox = await startChild("bench/farebox-server.ts", { UPSTREAM_URL: upstream.info.url!, BENCH_SYNC_COMMIT: SYNC_COMMIT }, startNodeOptions());
  const direct = { url: upstream.info.url!, path: "/v1/chat/completions", headers: { authorization: "Bearer bench", "content-type": "application/json" } };
  const viaFarebox = { url: farebox.info.url!, path: "/api/v1/chat/completions", headers: { authorization: `Bearer ${farebox.info.key}`, "content-type": "application/json" } };
  const rows: Row[] = [];
  // One keep-alive pool per target, warmed up at the full rate (connections, JIT, key cache,
  // reservations) and reused by every run, as a long-lived client would.
  const directPool = loadPool(direct.url);
  const fareboxPool = loadPool(viaFarebox.url);
  try {
    for (const stream of [false, true]) {
      await runLoad({ ...viaFarebox, body: body("bench/model", stream), ratePerSecond: RATE, durationMs: 2_000, maxInFlight: 512 }, fareboxPool);
      await runLoad({ ...direct, body: body("bench-model", stream), ratePerSecond: RATE, durationMs: 2_000, maxInFlight: 512 }, directPool);
    }
    for (const [stream, rate] of [[false, LOW_RATE], [false, RATE], [true, RATE]] as const) {
      const scenario = stream ? "stream" : "non-stream";
      for (let repetition = 0; repetition < REPEAT; repetition += 1) {
        const d = await runLoad({ ...direct, body: body("bench-model", stream), ratePerSecond: rate, durationMs: DURATION_MS, maxInFlight: 512 }, directPool);
        const f = await runLoad({ ...viaFarebox, body: body("bench/model", stream), ratePerSecond: rate, durationMs: DURATION_MS, maxInFlight: 512 }, fareboxPool);
        rows.push({ scenario, rate, direct: d, farebox: f });
        console.log(scenario, summary(d), "|", summary(f));
      }
    }
    const closed = await runClosedLoop({ ...viaFarebox, body: body("bench/model", false), concurrency: CONCURRENCY, durationMs: DURATION_MS });
    const closedDirect = await runClosedLoop({ ...direct, body: body("bench-model", false), concurrency: CONCURRENCY, durationMs: DURATION_MS });
    console.log("closed loop", closed.requestsPerSecond.toFixed(0), "req/s via farebox,", closedDirect.requestsPerSecond.toFixed(0), "direct");
    writeResults(rows, closed.requestsPerSecond, closedDirect.requestsPerSecond, closed.errors);
  } finally {
    await Promise.all([directPool.close(), fareboxPool.close()]);
    farebox.child.kill("SIGTERM");
    upstream.child.kill("SIGTERM");
  }
}

function summary(result: LoadResult): string {
  const rps = (result.latenciesMs.length / result.elapsedMs) * 1000;
  return `n=${result.latenciesMs.length} err=${result.errors} p50=${fmt(percentileOf(result.latenciesMs, 0.5))} p99=${fmt(percentileOf(result.latenciesMs, 0.99))} rps=${rps.toFixed(0)}`;
}

/** Median and range of the repetitions of one figure. */
function spread(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted[Math.floor((sorted.length - 1) / 2)]!;
  return sorted.length === 1 ? fmt(median) : `${fmt(median)} (${fmt(sorted[0]!)}–${fmt(sorted[sorted.length - 1]!)})`;
}

function writeResults(rows: Row[], closedRps: number, closedDirectRps: number, closedErrors: number): void {
  const scenarios = [...new Map(rows.map((row) => [`${row.scenario} ${row.rate}`, rows.filter((r) => r.scenario === row.scenario && r.rate === row.rate)])).values()];
  const lines = scenarios.map((runs) => {
    const p = (r: LoadResult, f: number) => percentileOf(r.latenciesMs, f);
    const figure = (f: (row: Row) => number) => spread(runs.map(f));
    const served = (row: Row) => (row.farebox.latenciesMs.length / row.farebox.elapsedMs) * 1000;
    const failed = runs.reduce((sum, row) => sum + row.farebox.errors + row.direct.errors, 0);
    return `| ${runs[0]!.scenario} | ${runs[0]!.rate} | ${figure((r) => p(r.direct, 0.5))} / ${figure((r) => p(r.direct, 0.99))} | ${figure((r) => p(r.farebox, 0.5))} / ${figure((r) => p(r.farebox, 0.99))} | **${figure((r) => p(r.farebox, 0.5) - p(r.direct, 0.5))}** / **${figure((r) => p(r.farebox, 0.99) - p(r.direct, 0.99))}** | ${Math.min(...runs.map(served)).toFixed(0)} | ${failed} |`;
  });
  const text = `# Benchmark: farebox overhead

Command: \`${SYNC_COMMIT === "off" ? "BENCH_SYNC_COMMIT=off " : ""}npm run bench\` (defaults: BENCH_RATE=${RATE}, BENCH_DURATION_MS=${DURATION_MS}, BENCH_CONCURRENCY=${CONCURRENCY}, BENCH_REPEAT=${REPEAT}).
Run on ${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores (${cpus()[0]?.model ?? "unknown CPU"}), Node ${process.version},
billing on PostgreSQL at 127.0.0.1:5432 (hold + settle + generation record per request), synchronous_commit=${SYNC_COMMIT}.

Three processes share the machine: a fake OpenAI upstream (answers immediately), farebox, and
the open-loop load generator. Each target gets one keep-alive client pool, warmed up at ${RATE} requests/s
first. Each scenario sends ${RATE} requests/s for ${DURATION_MS / 1000} s straight to the upstream, then the same
through farebox, plus a ${LOW_RATE} requests/s run below saturation; "added" is the difference of the percentiles.
Each scenario runs ${REPEAT} times; every figure is the median repetition (range in parentheses). "Dropped" counts
requests not sent because 512 were already in flight.
Latency is until the full body (stream: until \`[DONE]\`) has arrived, in milliseconds.

| scenario | offered req/s | direct p50 / p99 | farebox p50 / p99 | added p50 / p99 | farebox req/s served (lowest) | dropped or failed |
|---|---|---|---|---|---|---|
${lines.join("\n")}

Closed loop, ${CONCURRENCY} requests in flight, non-stream: **${closedRps.toFixed(0)} req/s through farebox**
(${closedDirectRps.toFixed(0)} req/s straight to the fake upstream; ${closedErrors} errors).

Target: p50 added ≤ 1 ms and p99 added ≤ 5 ms at 500 requests/s.
`;
  // The latest run only; bench/RESULTS.md is the curated record (analytics figures live there too).
  const file = new URL(SYNC_COMMIT === "off" ? "./latest-run-async-commit.md" : "./latest-run.md", import.meta.url);
  writeFileSync(file, text);
}

await main();
