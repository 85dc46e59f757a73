import { describe, expect, it } from "vitest";
import { uniqueIntentAmount, nanoToBaseUnits } from "../../src/deposits/intent-amount.js";
import { nativePaymentUri, tokenPaymentUri } from "../../src/deposits/eip681.js";

describe("intent amounts", () => {
  it("are unique among the open intents they are given", () => {
    expect(uniqueIntentAmount(10_000_000n, new Set())).toBe(10_000_001n);
    expect(uniqueIntentAmount(10_000_000n, new Set([10_000_001n, 10_000_002n]))).toBe(10_000_003n);
    expect(uniqueIntentAmount(10n, new Set([11n, 12n]), 2n)).toBeUndefined();
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
