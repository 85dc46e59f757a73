import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { isStorableText, replaceUnstorable, storableJson } from "../../src/domain/storable-text.js";

describe("storableJson", () => {
  it("gives back the same value when every string in it is storable", () => {
    const rows = [{ provider: "p", status: 200, error: null, nested: { list: ["a", 1, true] } }];
    expect(storableJson(rows)).toBe(rows);
    expect(storableJson("text")).toBe("text");
    expect(storableJson(null)).toBe(null);
  });

  it("repairs NUL and lone surrogates in values and keys, in a copy that shares what needed nothing", () => {
    const untouched = { ok: "fine" };
    const rows = [untouched, { error: "bad\u0000byte", ["key\ud800"]: ["x", "\udc00"] }];
    const stored = storableJson(rows) as unknown[];
    expect(stored).not.toBe(rows);
    expect(stored[0]).toBe(untouched);
    expect(stored[1]).toEqual({ error: "bad\uFFFDbyte", ["key\uFFFD"]: ["x", "\uFFFD"] });
    // the input is left as it was
    expect(rows[1]).toEqual({ error: "bad\u0000byte", ["key\ud800"]: ["x", "\udc00"] });
  });
});

/** Strings of UTF-16 code units, NUL and surrogate halves (paired or not) among them often. */
const codeUnitStrings = fc
  .array(fc.oneof(fc.constantFrom(0, 0x41, 0xe9, 0x2028, 0xd800, 0xdbff, 0xdc00, 0xdfff, 0xd83d, 0xde00), fc.integer({ min: 0, max: 0xffff })), { maxLength: 12 })
  .map((units) => String.fromCharCode(...units));

describe("isStorableText and replaceUnstorable", () => {
  // the rule as first written: one regular expression (u mode reads a surrogate pair as one code point)
  // eslint-disable-next-line no-control-regex -- NUL is exactly what this looks for
  const UNSTORABLE = /\u0000|\p{Cs}/u;

  it("answer as the regular expression does, on any string of code units", () => {
    fc.assert(
      fc.property(codeUnitStrings, (text) => {
        expect(isStorableText(text)).toBe(!UNSTORABLE.test(text));
        expect(replaceUnstorable(text)).toBe(text.replace(new RegExp(UNSTORABLE.source, "gu"), "\uFFFD"));
      }),
      { numRuns: 5_000 },
    );
  });

  it("refuse NUL and lone surrogates, keep pairs and one-byte text", () => {
    expect(["", "plain", "é", "\ud83d\ude00", "\u00ff".repeat(100)].map(isStorableText)).toEqual([true, true, true, true, true]);
    expect(["\u0000", "a\u0000", "\ud800", "\udc00x", "\ude00\ud83d", "\ud83d\ude00\ud83d"].map(isStorableText)).toEqual([false, false, false, false, false, false]);
  });
});
