import { describe, expect, it } from "vitest";
import { settledListener } from "../../src/gateway/settled-hook.js";
import type { SettledGeneration } from "../../src/domain/settled-generation.js";
import { generationRecord } from "../support/generation-record.js";

describe("settled listener", () => {
  it("hands each stored record on as its analytics view", async () => {
    const seen: SettledGeneration[] = [];
    const listener = settledListener((generation) => {
      seen.push(generation);
    });
    expect(listener({ ...generationRecord("gen-1", "acct_1"), upstreamCostNano: 700n, feeNano: 35n })).toBeUndefined();
    expect(seen).toEqual([expect.objectContaining({ id: "gen-1", accountId: "acct_1", creditUsageNano: 700n, feeNano: 35n, ok: true })]);
  });

  it("passes a batch's shared write on as one promise and reports its failure once", async () => {
    const errors: unknown[] = [];
    let fail!: (error: Error) => void;
    const batchWrite = new Promise<void>((_resolve, reject) => (fail = reject));
    const listener = settledListener(() => batchWrite, (error) => errors.push(error));
    const waits = ["gen-1", "gen-2", "gen-3"].map((id) => listener(generationRecord(id, "acct_1")));
    expect(new Set(waits).size).toBe(1);
    fail(new Error("rollups down"));
    await waits[0];
    expect(errors).toEqual([new Error("rollups down")]);
  });

  it("reports a listener that throws instead of failing the settlement", () => {
    const errors: unknown[] = [];
    const listener = settledListener(
      () => {
        throw new Error("bad listener");
      },
      (error) => errors.push(error),
    );
    expect(listener(generationRecord("gen-1", "acct_1"))).toBeUndefined();
    expect(errors).toEqual([new Error("bad listener")]);
  });
});
