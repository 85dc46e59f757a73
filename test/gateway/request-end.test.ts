import { describe, expect, it } from "vitest";
import type { EndingRequest, Outcome } from "../../src/gateway/generation-record.js";
import type { Billing, Conclusion, GenerationRecord } from "../../src/gateway/ports.js";
import { createRequestEnd } from "../../src/gateway/request-end.js";
import { NO_CHARGE } from "../../src/gateway/settlement.js";

/** A request that failed before any attempt answered: the least a conclusion is built from. */
function endingRequest(id: string): EndingRequest {
  const prepared = { id, holdId: "", quote: { reservedNano: 0n }, requestedModel: "m", plan: { router: undefined }, input: { request: {} }, createdAt: new Date(0) };
  return { prepared, caller: { accountId: "acct_1", keyId: "key_1" }, meta: {} } as unknown as EndingRequest;
}
const failed = { kind: "failed", error: { httpStatus: 502, message: "upstream down" }, log: [], latencyMs: 3, streamed: false, settlement: NO_CHARGE } as unknown as Outcome;

/** Billing whose every conclusion waits until the test settles it. */
function heldBilling() {
  const held: { conclusion: Conclusion; settle: (error?: Error) => void }[] = [];
  const billing: Billing = {
    reserve: () => Promise.resolve({ ok: true, holdId: "" }),
    conclude: (conclusion) =>
      new Promise<void>((resolve, reject) => held.push({ conclusion, settle: (error) => (error ? reject(error) : resolve()) })),
    drain: () => Promise.resolve(),
    unwritten: () => undefined,
  };
  return { billing, held };
}

const turns = async (count = 10) => {
  for (let i = 0; i < count; i += 1) await new Promise((resolve) => setImmediate(resolve));
};

describe("request end", () => {
  it("drains once every conclusion is written and its listener done, reporting a failed write", async () => {
    const { billing, held } = heldBilling();
    const errors: unknown[] = [];
    const settled: string[] = [];
    let listenerDone!: () => void;
    const listening = new Promise<void>((resolve) => (listenerDone = resolve));
    const end = createRequestEnd({
      billing,
      feeBps: 500,
      onSettled: (record: GenerationRecord) => {
        settled.push(record.id);
        return listening;
      },
      onError: (error) => errors.push(error),
    });
    end.conclude(endingRequest("gen-1"), failed);
    end.conclude(endingRequest("gen-2"), failed);
    let drained = false;
    const draining = end.drain().then(() => (drained = true));
    end.conclude(endingRequest("gen-3"), failed);
    expect(held.map((item) => item.conclusion.record.id)).toEqual(["gen-1", "gen-2", "gen-3"]);

    held[0]!.settle();
    held[1]!.settle(new Error("ledger down"));
    await turns();
    expect(drained).toBe(false);
    held[2]!.settle();
    await turns();
    // every write is done; the listener's wait is not
    expect(settled).toEqual(["gen-1", "gen-3"]);
    expect(errors).toEqual([new Error("ledger down")]);
    expect(drained).toBe(false);
    listenerDone();
    await draining;
    expect(drained).toBe(true);
  });
});
