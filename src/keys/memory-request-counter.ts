import type { RequestCounter } from "./rate-limit.js";

interface Window {
  startMs: number;
  endMs: number;
  count: number;
}

/**
 * Per-key request counters in this process's memory, for a gateway without Redis: exact for a
 * single process (PGlite always is one), and each process counts alone when there are several.
 * Windows that are over are swept once the map grows past `sweepAtEntries`.
 */
export class MemoryRequestCounter implements RequestCounter {
  private readonly windows = new Map<string, Window>();

  constructor(private readonly sweepAtEntries = 10_000) {}

  async count(keyId: string, windowStartMs: number, intervalMs: number): Promise<number> {
    const current = this.windows.get(keyId);
    if (current && current.startMs === windowStartMs) return ++current.count;
    if (!current && this.windows.size >= this.sweepAtEntries) this.sweep(windowStartMs);
    this.windows.set(keyId, { startMs: windowStartMs, endMs: windowStartMs + intervalMs, count: 1 });
    return 1;
  }

  private sweep(nowMs: number): void {
    for (const [keyId, window] of this.windows) if (window.endMs <= nowMs) this.windows.delete(keyId);
  }
}
