/**
 * How many gateway processes the load needs, with FAREBOX_WORKERS=auto (the default on
 * PostgreSQL): the cluster starts with one process, the primary, adds workers (up to one per core)
 * when the processes serving are busy, and retires one when the load would fit in one fewer. Each
 * second the primary reads every serving process's event-loop utilization (the share of that
 * second its loop spent running code) and asks `decide`.
 *
 * - **Out** when the mean utilization reaches {@link SCALE_OUT_AT}: beyond it a request more and
 *   more often waits behind another's work (and a garbage collection), and the tail grows. As many
 *   processes as would bring the mean below it (at least one: a saturated loop says only that it
 *   needs more), none while some are still starting: a surge on many cores doubles the count at
 *   each step instead of adding one at a time.
 * - **In** when the processes but one would each be below {@link SCALE_IN_BELOW}, uninterrupted for
 *   the idle time (FAREBOX_WORKER_IDLE_SECONDS, 300 by default): a process starts in seconds, but
 *   memory kept for a few minutes costs less than a start in every pause between bursts.
 *
 * The gap between the two (0.5 of n processes against 0.25 of n − 1) keeps a steady load from
 * adding and retiring a process in turn.
 */

import { performance } from "node:perf_hooks";

/** Mean event-loop utilization of the serving processes at which one more starts. */
export const SCALE_OUT_AT = 0.5;
/** Utilization each of n − 1 processes would have, below which the n-th is no longer needed. */
export const SCALE_IN_BELOW = 0.25;
/** After a process joins, how long its share of the connections takes to reach it before the load is judged again. */
const SETTLE_MS = 3_000;

/** Start `out` more processes, retire one, or neither. */
export type ScalingStep = { out: number } | "in" | undefined;

export class ProcessScaling {
  private quietSince: number | undefined;
  private settledAt = 0;

  constructor(
    /** The most processes (one per core). */
    private readonly most: number,
    /** How long the load must fit in one process fewer before one retires. */
    private readonly idleMs: number,
  ) {}

  /**
   * What to do at `now`, given each serving process's utilization over the last second (0 to 1)
   * and whether a process is still starting.
   */
  decide(now: number, utilizations: readonly number[], starting: boolean): ScalingStep {
    const count = utilizations.length;
    if (starting || count === 0 || now < this.settledAt) {
      this.quietSince = undefined;
      return undefined;
    }
    const total = utilizations.reduce((sum, each) => sum + each, 0);
    if (total / count >= SCALE_OUT_AT && count < this.most) {
      this.quietSince = undefined;
      return { out: Math.min(this.most - count, Math.max(1, Math.ceil(total / SCALE_OUT_AT) - count)) };
    }
    if (count === 1 || total / (count - 1) >= SCALE_IN_BELOW) {
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
