/**
 * An open-loop load generator: sends requests at a fixed rate (so a slow server cannot slow the
 * offered load down), with a cap on requests in flight, over an undici keep-alive pool, and
 * records each request's latency in milliseconds from the time it was scheduled to be sent (so a
 * stalled generator or server cannot hide the wait: no coordinated omission), until the whole
 * body arrived or, with `untilText`, until the body first contained that text (time to first token).
 */
import { performance } from "node:perf_hooks";
import { Pool } from "undici";

export interface LoadOptions {
  url: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  ratePerSecond: number;
  durationMs: number;
  maxInFlight: number;
  /** Latency until the body first contains this text (a stream's first token) instead of the whole body. */
  untilText?: string;
}

export interface LoadResult {
  latenciesMs: number[];
  errors: number;
  elapsedMs: number;
  statuses: Record<number, number>;
}

/** The non-stream chat request every scenario sends to farebox's bench model, at `rate` per second for `durationMs`. */
export function benchChatLoad(farebox: { url: string; key: string }, rate: number, durationMs: number, maxInFlight: number): LoadOptions {
  return {
    url: farebox.url,
    path: "/api/v1/chat/completions",
    headers: { authorization: `Bearer ${farebox.key}`, "content-type": "application/json" },
    body: JSON.stringify({ model: "bench/model", messages: [{ role: "user", content: "Say something short about benchmarks." }], max_tokens: 64 }),
    ratePerSecond: rate,
    durationMs,
    maxInFlight,
  };
}

/** A keep-alive pool for `url`, to be warmed up and reused across runs like a real client's. */
export function loadPool(url: string, maxConnections = 512): Pool {
  return new Pool(url, { connections: maxConnections, keepAliveTimeout: 60_000, pipelining: 1 });
}

/** Runs the load over `pool` (a fresh pool when absent, closed afterwards) and returns every latency. */
export async function runLoad(options: LoadOptions, shared?: Pool): Promise<LoadResult> {
  const pool = shared ?? loadPool(options.url, options.maxInFlight);
  const latenciesMs: number[] = [];
  const statuses: Record<number, number> = {};
  let errors = 0;
  let inFlight = 0;
  const total = Math.round((options.ratePerSecond * options.durationMs) / 1000);
  const intervalMs = 1000 / options.ratePerSecond;
  const started = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < total; i += 1) {
    const due = started + i * intervalMs;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    if (inFlight >= options.maxInFlight) {
      errors += 1;
      continue;
    }
    inFlight += 1;
    // from the scheduled time when sent late; from the send when the timer fired a little early
    const startedAt = Math.min(due, performance.now());
    pending.push(
      pool
        .request({ method: "POST", path: options.path, headers: options.headers, body: options.body })
        .then(async (response) => {
          let seenAt: number | undefined;
          let text = "";
          for await (const chunk of response.body) {
            if (options.untilText === undefined || seenAt !== undefined) continue;
            text += (chunk as Buffer).toString();
            if (text.includes(options.untilText)) seenAt = performance.now();
          }
          const endAt = performance.now();
          statuses[response.statusCode] = (statuses[response.statusCode] ?? 0) + 1;
          if (response.statusCode !== 200 || (options.untilText !== undefined && seenAt === undefined)) errors += 1;
          else latenciesMs.push((seenAt ?? endAt) - startedAt);
        })
        .catch(() => {
          errors += 1;
        })
        .finally(() => {
          inFlight -= 1;
        }),
    );
  }
  await Promise.all(pending);
  const elapsedMs = performance.now() - started;
  if (!shared) await pool.close();
  return { latenciesMs, errors, elapsedMs, statuses };
}

/** Nearest-rank percentile. */
export function percentileOf(samples: readonly number[], fraction: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))] ?? Number.NaN;
}

/** Closed loop: `concurrency` workers each send the next request as soon as the last returns. */
export async function runClosedLoop(
  options: Omit<LoadOptions, "ratePerSecond" | "maxInFlight"> & { concurrency: number },
): Promise<{ requestsPerSecond: number; errors: number; served: number; latenciesMs: number[] }> {
  const pool = new Pool(options.url, { connections: options.concurrency, keepAliveTimeout: 30_000 });
  let done = 0;
  let errors = 0;
  const latenciesMs: number[] = [];
  const started = performance.now();
  const worker = async () => {
    while (performance.now() - started < options.durationMs) {
      try {
        const sentAt = performance.now();
        const response = await pool.request({ method: "POST", path: options.path, headers: options.headers, body: options.body });
        await response.body.text();
        if (response.statusCode === 200) {
          done += 1;
          latenciesMs.push(performance.now() - sentAt);
        } else errors += 1;
      } catch {
        errors += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  const elapsed = performance.now() - started;
  await pool.close();
  return { requestsPerSecond: (done / elapsed) * 1000, errors, served: done, latenciesMs };
}

/** A closed-loop round that beats the best before it by more than this share: the target was still warming up. */
const STILL_RISING = 0.05;

/**
 * Closed-loop rounds until the throughput stops rising: until a round does not beat the best before
 * it by more than {@link STILL_RISING} (at most `most` rounds, the first always a warm-up). `best` is
 * the best round after the first. A target started just before (the old release) still speeds up
 * for several rounds, its JIT warming up and caches filling: 314, 565, 606, 668, 803, 743 req/s on
 * one VM, where farebox, warmed by the open-loop scenarios, was steady from its second round; a
 * fixed count of rounds favoured whichever target had run longer.
 */
export async function untilSteady<Round extends { requestsPerSecond: number }>(round: () => Promise<Round>, most = 8): Promise<{ best: Round; rounds: Round[] }> {
  let best = await round();
  const rounds = [best];
  while (rounds.length < most) {
    const next = await round();
    const rising = next.requestsPerSecond > best.requestsPerSecond * (1 + STILL_RISING);
    if (rounds.length === 1 || next.requestsPerSecond > best.requestsPerSecond) best = next;
    rounds.push(next);
    if (!rising) break;
  }
  return { best, rounds };
}
