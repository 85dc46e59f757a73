import { describe, expect, it } from "vitest";
import { WriteBatcher } from "../../src/db/write-batcher.js";

/** A writer that records its batches and how many flushes ran at once. */
function recording(flushMs = 5) {
  const batches: number[][] = [];
  let running = 0;
  let mostAtOnce = 0;
  const flush = async (items: number[]) => {
    running += 1;
    mostAtOnce = Math.max(mostAtOnce, running);
    await new Promise((resolve) => setTimeout(resolve, flushMs));
    batches.push(items);
    running -= 1;
    return items.map((item) => (item < 0 ? new Error(`bad ${item}`) : undefined));
  };
  return { batches, flush, mostAtOnce: () => mostAtOnce };
}

describe("write batcher", () => {
  it("writes what arrives within the delay as one batch, one batch at a time, and reports each item's error", async () => {
    const writer = recording();
    const batcher = new WriteBatcher(writer.flush, { maxDelayMs: 20 });
    const first = [1, 2, -3].map((n) => batcher.add(n));
    await new Promise((resolve) => setTimeout(resolve, 22));
    const second = [4, 5].map((n) => batcher.add(n));
    const outcomes = await Promise.allSettled([...first, ...second]);
    expect(writer.batches).toEqual([[1, 2, -3], [4, 5]]);
    expect(writer.mostAtOnce()).toBe(1);
    expect(outcomes.map((o) => o.status)).toEqual(["fulfilled", "fulfilled", "rejected", "fulfilled", "fulfilled"]);
  });

  it("writes a queue longer than maxBatch in batches of at most maxBatch, one after another without waiting", async () => {
    const writer = recording(1);
    const batcher = new WriteBatcher(writer.flush, { maxDelayMs: 60_000, maxBatch: 3 });
    await Promise.all([1, 2, 3, 4, 5, 6, 7].map((n) => batcher.add(n)).slice(0, 6));
    expect(writer.batches).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(writer.mostAtOnce()).toBe(1);
  });

  it("writes at once while hurried, and waits for batches again afterwards", async () => {
    const writer = recording(1);
    const batcher = new WriteBatcher(writer.flush, { maxDelayMs: 60_000 });
    const waiting = batcher.add(1);
    const done = batcher.hurry();
    await waiting;
    await batcher.add(2);
    expect(writer.batches).toEqual([[1], [2]]);
    done();
    let written = false;
    void batcher.add(3).then(() => (written = true));
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(written).toBe(false);
    batcher.hurry();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(written).toBe(true);
  });
});
