/** The bench's closed loop runs rounds until a target's throughput stops rising (bench/load.ts). */
import { describe, expect, it } from "vitest";
import { untilSteady } from "../../bench/load.js";

/** Rounds that return these throughputs in turn. */
function rounds(...values: number[]) {
  let next = 0;
  return async () => ({ requestsPerSecond: values[next++]! });
}

describe("untilSteady", () => {
  it("keeps going while a round beats the best before it by more than 5 %, and takes the best after the first", async () => {
    const { best, rounds: ran } = await untilSteady(rounds(314, 565, 606, 668, 803, 743, 900));
    expect(ran.map((round) => round.requestsPerSecond)).toEqual([314, 565, 606, 668, 803, 743]);
    expect(best.requestsPerSecond).toBe(803);
  });

  it("stops after the second round of a warm target and never counts the first", async () => {
    expect((await untilSteady(rounds(1565, 1517, 2000))).best.requestsPerSecond).toBe(1517);
    expect((await untilSteady(rounds(1000, 1040, 2000))).best.requestsPerSecond).toBe(1040);
  });

  it("a round within 5 % of the best ends it, and the best stays the best", async () => {
    const { best, rounds: ran } = await untilSteady(rounds(100, 200, 205, 400));
    expect(ran).toHaveLength(3);
    expect(best.requestsPerSecond).toBe(205);
  });

  it("stops at the most rounds asked for", async () => {
    const { best, rounds: ran } = await untilSteady(rounds(1, 2, 4, 8, 16), 4);
    expect(ran).toHaveLength(4);
    expect(best.requestsPerSecond).toBe(8);
  });
});
