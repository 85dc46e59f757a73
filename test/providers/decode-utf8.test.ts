import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeUtf8 } from "../../src/providers/shared/utf8.js";

describe("decodeUtf8", () => {
  it("decodes bytes split anywhere exactly as TextDecoder does, byte order mark and malformed bytes included", () => {
    const text = fc.string({ unit: "binary", maxLength: 40 });
    const bytes = fc.oneof(
      text.map((value) => new Uint8Array(Buffer.from(value, "utf8"))),
      text.map((value) => new Uint8Array(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(value, "utf8")]))),
      fc.uint8Array({ maxLength: 40 }),
    );
    fc.assert(
      fc.property(bytes, fc.array(fc.nat(), { maxLength: 4 }), (all, cuts) => {
        const points = [...new Set(cuts.map((cut) => cut % (all.length + 1)))].sort((a, b) => a - b);
        const chunks = [0, ...points].map((start, index) => Buffer.from(all.subarray(start, [...points, all.length][index])));
        expect(decodeUtf8(chunks, all.length)).toBe(new TextDecoder("utf-8").decode(all));
      }),
      { numRuns: 3_000 },
    );
  });
});
