import { describe, expect, it } from "vitest";
import { storableJson } from "../../src/domain/storable-text.js";

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
