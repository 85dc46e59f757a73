import { describe, expect, it } from "vitest";
import { owesNothing, type AnswerEnd } from "../../src/gateway/billed-usage.js";
import { emptyUsage } from "../../src/providers/spec.js";

const usage = (completionTokens: number) => ({ ...emptyUsage(), promptTokens: 12, completionTokens });
const end = (overrides: Partial<AnswerEnd>): AnswerEnd => ({ producedChars: 0, finishReason: "stop", failed: false, cancelled: false, ...overrides });

/** The one rule both answer paths ask (complete-chat.ts and stream-chat.ts, through request-end.ts). */
describe("the no-charge rule", () => {
  it("charges anything served: delivered text, reported completion tokens, or an empty answer the upstream completed", () => {
    expect(owesNothing(end({ producedChars: 5 }), usage(2))).toBe(false);
    expect(owesNothing(end({ producedChars: 5, failed: true }), usage(2))).toBe(false);
    expect(owesNothing(end({ producedChars: 5, finishReason: "error" }), usage(2))).toBe(false);
    expect(owesNothing(end({ producedChars: 5, cancelled: true }), usage(2))).toBe(false);
    expect(owesNothing(end({ finishReason: "error" }), usage(3))).toBe(false);
    expect(owesNothing(end({}), usage(0))).toBe(false);
    expect(owesNothing(end({ finishReason: "length" }), usage(0))).toBe(false);
  });

  it("charges nothing when nothing was delivered and the answer did not complete", () => {
    expect(owesNothing(end({ finishReason: "error" }), usage(0))).toBe(true);
    expect(owesNothing(end({ failed: true, finishReason: null }), usage(0))).toBe(true);
    expect(owesNothing(end({ cancelled: true, finishReason: null }), usage(0))).toBe(true);
  });
});
