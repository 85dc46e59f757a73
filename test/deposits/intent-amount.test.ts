import { describe, expect, it } from "vitest";
import { intentOffsetStep, uniqueIntentAmount, nanoToBaseUnits } from "../../src/deposits/intent-amount.js";
import { nativePaymentUri, tokenPaymentUri } from "../../src/deposits/eip681.js";

describe("intent amounts", () => {
  it("are drawn at random, far from every taken amount, never the round amount itself", () => {
    const first = () => 0;
    expect(uniqueIntentAmount(10_000_000n, new Set(), { random: first })).toBe(10_000_001n);
    // 10_000_001 taken: every candidate closer than 10 units to it is skipped.
    expect(uniqueIntentAmount(10_000_000n, new Set([10_000_001n]), { random: first })).toBe(10_000_011n);
    expect(uniqueIntentAmount(10n, new Set([15n]), { slots: 20, minGapSteps: 10n, random: first })).toBe(25n);
    expect(uniqueIntentAmount(10n, new Set([15n]), { slots: 10, minGapSteps: 10n })).toBeUndefined();
    // Neighbouring intents for one amount are never within 10 steps of each other.
    const taken = new Set<bigint>();
    for (let i = 0; i < 40; i += 1) {
      const amount = uniqueIntentAmount(10_000_000n, taken)!;
      for (const other of taken) expect(amount > other ? amount - other : other - amount).toBeGreaterThanOrEqual(10n);
      taken.add(amount);
    }
    // ETH steps are a millionth of an ether, so the offset stays below 0.001 ETH.
    expect(intentOffsetStep(18)).toBe(10n ** 12n);
    expect(intentOffsetStep(6)).toBe(1n);
  });

  it("convert USD to base units exactly, rounding down", () => {
    expect(nanoToBaseUnits(10_000_000_000n, 6)).toBe(10_000_000n);
    expect(nanoToBaseUnits(1n, 6)).toBe(0n);
    // $30 at $3000/ETH = 0.01 ETH
    expect(nanoToBaseUnits(30_000_000_000n, 18, { answer: 3_000_00000000n, decimals: 8 })).toBe(10n ** 16n);
  });

  it("EIP-681 URIs carry the chain, treasury and exact amount", () => {
    expect(nativePaymentUri("0xabc", 8453, 10n ** 16n)).toBe("ethereum:0xabc@8453?value=10000000000000000");
    expect(tokenPaymentUri("0xtoken", 1, "0xabc", 10_000_001n)).toBe("ethereum:0xtoken@1/transfer?address=0xabc&uint256=10000001");
  });
});
