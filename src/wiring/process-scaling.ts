/**
 * How many gateway processes the load needs, with FAREBOX_WORKERS=auto (the default on
 * PostgreSQL): the cluster starts with one process, the primary, adds workers (up to one per core)
 * when the processes serving are busy, and retires one when the load would fit in one fewer. Each
 * second the primary reads every serving process's event-loop utilization (the share of that
 * second its loop spent running code) and asks `decide`.
 *
 * A process more is not free: on a load one process carries, two spend 1.2–1.5× the CPU per
 * request (each loop wakes for fewer requests at a time), and on a machine whose cores they share
 * with their database that cost can be what tips it over. Measured on 2 cores beside PostgreSQL
 * (bench/RESULTS.md, "One process until it is saturated"), one process had a tail as short as two
 * at 1,000 requests/s and at 500 spaced streams/s, and a far shorter one at 2,000/s, where two
 * failed requests. So one process serves until it is saturated:
 *
 * - **Out** when the mean utilization is at least `busy` (FAREBOX_WORKER_BUSY, 0.9 by default) for
 *   two readings in a row (a single busy second is often a burst or a garbage collection) while the
 *   machine has `spareNeeded` cores idle (FAREBOX_WORKER_SPARE_CORES, half a core by default): as
 *   many processes as would bring the mean to {@link SCALE_OUT_TO} (at least one; a saturated loop
 *   says only that it needs more) and the idle cores can run at that utilization, none while some
 *   are still starting: a surge on many cores doubles the count at each step instead of adding one
 *   at a time. A process with no core to run on takes its CPU from the one it was to relieve, from
 *   PostgreSQL or from whatever else the machine runs: on 2 cores beside PostgreSQL and the load
 *   generator, one saturated process left a third of a core idle, and two served no more requests in
 *   the closed loop, each at more CPU, with twice the memory and a longer tail (bench/RESULTS.md, "A
 *   process more only where a core is idle"). Held back so, the primary says it once per busy stretch.
 * - **In** when the processes but one would stay below `busy` too (their summed utilization over
 *   n − 1), uninterrupted for the idle time (FAREBOX_WORKER_IDLE_SECONDS, 60 by default): a start
 *   costs about a second of CPU, a process too many at 1,000 requests/s about a fifth of a core.
 *
 * n processes spend more loop time on a load than n − 1 would, so the load summed over n − 1
 * overstates what those would see: a steady load does not add and retire a process in turn.
 */

import { cpus } from "node:os";
import { performance } from "node:perf_hooks";

/** The mean utilization the processes started at once aim for. */
const SCALE_OUT_TO = 0.5;
/** Readings in a row at or above `busy` before more start. */
const BUSY_READINGS = 2;
/** After a process joins, how long its share of the connections takes to reach it before the load is judged again. */
const SETTLE_MS = 3_000;

/**
 * Start `out` more processes, retire one, or neither; "no room": the processes are busy but the
 * machine has too few idle cores for another (said once per busy stretch, for the log).
 */
export type ScalingStep = { out: number } | "in" | "no room" | undefined;

export class ProcessScaling {
  private quietSince: number | undefined;
  private busyReadings = 0;
  private busyWithoutRoom = 0;
  private settledAt = 0;

  constructor(
    /** The most processes (one per core). */
    private readonly most: number,
    /** Mean utilization of the serving processes at which more start; below it for n − 1, the n-th retires. */
    private readonly busy: number,
    /** How long the load must fit in one process fewer before one retires. */
    private readonly idleMs: number,
    /** Idle cores the machine must have for another process to start: one with no core to run on only adds its own cost. */
    private readonly spareNeeded: number,
  ) {}

  /**
   * What to do at `now`, given each serving process's utilization over the last second (0 to 1),
   * whether a process is still starting, and how many of the machine's cores sat idle that second.
   */
  decide(now: number, utilizations: readonly number[], starting: boolean, idleCores: number): ScalingStep {
    const count = utilizations.length;
    if (starting || count === 0 || now < this.settledAt) {
      this.quietSince = undefined;
      this.busyReadings = 0;
      return undefined;
    }
    const total = utilizations.reduce((sum, each) => sum + each, 0);
    if (total / count >= this.busy) {
      this.quietSince = undefined;
      if (count >= this.most) {
        this.busyReadings = 0;
        return undefined;
      }
      if (idleCores < this.spareNeeded) {
        this.busyReadings = 0;
        this.busyWithoutRoom += 1;
        return this.busyWithoutRoom === BUSY_READINGS ? "no room" : undefined;
      }
      this.busyWithoutRoom = 0;
      this.busyReadings += 1;
      if (this.busyReadings < BUSY_READINGS) return undefined;
      this.busyReadings = 0;
      const wanted = Math.ceil(total / SCALE_OUT_TO) - count;
      const runnable = Math.floor(idleCores / SCALE_OUT_TO);
      return { out: Math.min(this.most - count, Math.max(1, Math.min(wanted, runnable))) };
    }
    this.busyReadings = 0;
    this.busyWithoutRoom = 0;
    if (count === 1 || total / (count - 1) >= this.busy) {
      this.quietSince = undefined;
      return undefined;
    }
    this.quietSince ??= now;
    if (now - this.quietSince < this.idleMs) return undefined;
    this.quietSince = undefined;
    return "in";
  }

  /**
   * A process joined or left at `now`: the connections move for a moment before the load means
   * anything again (`pauseMs`, longer after a process failed to start).
   */
  changed(now: number, pauseMs = SETTLE_MS): void {
    this.settledAt = now + pauseMs;
    this.quietSince = undefined;
    this.busyReadings = 0;
    this.busyWithoutRoom = 0;
  }
}

/** Reads this process's event-loop utilization (0 to 1) since the previous reading (the first: since this call). */
export function loopUtilization(): () => number {
  let last = performance.eventLoopUtilization();
  return () => {
    const now = performance.eventLoopUtilization();
    const { utilization } = performance.eventLoopUtilization(now, last);
    last = now;
    return utilization;
  };
}

/** Reads how many of the machine's cores sat idle since the previous reading (the first: since this call). */
export function idleCores(): () => number {
  let last = machineTimes();
  return () => {
    const now = machineTimes();
    const total = now.total - last.total;
    const idle = total > 0 ? ((now.idle - last.idle) / total) * now.cores : 0;
    last = now;
    return idle;
  };
}

function machineTimes(): { idle: number; total: number; cores: number } {
  const all = cpus();
  let idle = 0;
  let total = 0;
  for (const { times } of all) {
    idle += times.idle;
    total += times.user + times.nice + times.sys + times.idle + times.irq;
  }
  return { idle, total, cores: all.length };
}
