/**
 * Preloaded into the gateway by `PROFILE_STALLS=1 npm run bench:profile`: how long requests wait
 * for the event loop, and the garbage collector's pauses, over the measured window. The loop's
 * delay is node's monitorEventLoopDelay at a 1 ms resolution (each figure is how late a 1 ms timer
 * ran); each GC pause comes from a `gc` performance entry (its kind and duration). The first
 * SIGUSR2 starts recording; the next writes both to FAREBOX_STALLS_OUT as JSON.
 */
import { renameSync, writeFileSync } from "node:fs";
import { constants, monitorEventLoopDelay, PerformanceObserver } from "node:perf_hooks";

export interface LoopStalls {
  /** How late the 1 ms timer ran (ms): the wait a request arriving at that moment had. */
  delayMs: { p50: number; p99: number; max: number; count: number };
  pauses: { kind: "scavenge" | "mark-compact" | "incremental" | "weak callbacks"; ms: number }[];
}

const KINDS = new Map<number, LoopStalls["pauses"][number]["kind"]>([
  [constants.NODE_PERFORMANCE_GC_MINOR, "scavenge"],
  [constants.NODE_PERFORMANCE_GC_MAJOR, "mark-compact"],
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL, "incremental"],
  [constants.NODE_PERFORMANCE_GC_WEAKCB, "weak callbacks"],
]);

const output = process.env.FAREBOX_STALLS_OUT!;
const delay = monitorEventLoopDelay({ resolution: 1 });
let pauses: LoopStalls["pauses"] | undefined;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    // a gc entry's detail (node ≥ 16) says which collection it was
    const { kind } = (entry as unknown as { detail: { kind: number } }).detail;
    pauses?.push({ kind: KINDS.get(kind) ?? "weak callbacks", ms: entry.duration });
  }
}).observe({ entryTypes: ["gc"] });

process.on("SIGUSR2", () => {
  if (!pauses) {
    pauses = [];
    delay.enable();
    return;
  }
  delay.disable();
  // the histogram holds the whole interval between timer runs: the 1 ms asked for is not a delay
  const late = (ns: number) => Math.max(0, ns / 1e6 - 1);
  const stalls: LoopStalls = { delayMs: { p50: late(delay.percentile(50)), p99: late(delay.percentile(99)), max: late(delay.max), count: delay.count }, pauses };
  // renamed into place whole: the benchmark reads it as soon as it exists
  writeFileSync(`${output}.part`, JSON.stringify(stalls));
  renameSync(`${output}.part`, output);
});
