import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Utf8StreamDecoder } from "../../src/providers/shared/utf8.js";

/** Each piece's text and the end's, as a streaming TextDecoder gives them. */
function textDecoderPieces(pieces: Uint8Array[]): string[] {
  const decoder = new TextDecoder("utf-8");
  return [...pieces.map((piece) => decoder.decode(piece, { stream: true })), decoder.decode()];
}

function streamDecoderPieces(pieces: Uint8Array[]): string[] {
  const decoder = new Utf8StreamDecoder();
  return [...pieces.map((piece) => decoder.decode(piece)), decoder.end()];
}

const BOM = [0xef, 0xbb, 0xbf];

describe("Utf8StreamDecoder", () => {
  it("gives every piece and the end exactly the text a streaming TextDecoder gives, byte order marks and malformed bytes included", () => {
    const text = fc.string({ unit: "binary", maxLength: 40 });
    // bytes near the edges of UTF-8: leads, continuations, overlongs, surrogates, beyond U+10FFFF
    const edgeByte = fc.constantFrom(0x00, 0x0a, 0x41, 0x7f, 0x80, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xbb, 0xf0, 0xf4, 0xf5, 0xff);
    const bytes = fc.oneof(
      text.map((value) => new Uint8Array(Buffer.from(value, "utf8"))),
      text.map((value) => new Uint8Array([...BOM, ...Buffer.from(value, "utf8")])),
      text.map((value) => new Uint8Array([...BOM, ...BOM, ...Buffer.from(value, "utf8")])),
      fc.array(edgeByte, { maxLength: 40 }).map((values) => new Uint8Array(values)),
      fc.uint8Array({ maxLength: 40 }),
    );
    fc.assert(
      fc.property(bytes, fc.array(fc.nat(), { maxLength: 6 }), fc.boolean(), (all, cuts, asBuffers) => {
        const points = [...new Set(cuts.map((cut) => cut % (all.length + 1)))].sort((a, b) => a - b);
        // views into one array (a byte offset), as Buffers from a pool are, or plain Uint8Arrays
        const pieces = [0, ...points].map((start, index) => {
          const piece = all.subarray(start, [...points, all.length][index]);
          return asBuffers ? Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength) : piece;
        });
        expect(streamDecoderPieces(pieces)).toEqual(textDecoderPieces(pieces));
      }),
      { numRuns: 5_000 },
    );
  });

  it("drops a byte order mark split across pieces, and only the stream's first", () => {
    expect(streamDecoderPieces([new Uint8Array([0xef, 0xbb]), new Uint8Array([0xbf, 0x41])])).toEqual(["", "A", ""]);
    expect(streamDecoderPieces([new Uint8Array(BOM), new Uint8Array([...BOM, 0x41])])).toEqual(["", "\ufeffA", ""]);
    expect(streamDecoderPieces([new Uint8Array([0x41]), new Uint8Array([...BOM, 0x41])])).toEqual(["A", "\ufeffA", ""]);
  });

  it("keeps a character split between pieces for the later one, and ends a cut one as U+FFFD", () => {
    const euro = Buffer.from("€", "utf8");
    expect(streamDecoderPieces([euro.subarray(0, 1), euro.subarray(1, 2), euro.subarray(2)])).toEqual(["", "", "€", ""]);
    expect(streamDecoderPieces([Buffer.from("a"), euro.subarray(0, 2)])).toEqual(["a", "", "\ufffd"]);
  });
});
