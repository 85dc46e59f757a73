import { PublicKey } from "@solana/web3.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeBase58, encodeBase58 } from "../../src/domain/base58.js";

describe("base58", () => {
  it("writes 32-byte keys as @solana/web3.js does, and reads them back", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (bytes) => {
        const text = encodeBase58(bytes);
        expect(text).toBe(new PublicKey(bytes).toBase58());
        expect(decodeBase58(text)).toEqual(Buffer.from(bytes));
      }),
    );
  });

  it("keeps leading zero bytes as leading 1s", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        expect(decodeBase58(encodeBase58(bytes) || "1")?.length).toBe(bytes.length || 1);
      }),
    );
    expect(encodeBase58(new Uint8Array([0, 0, 1]))).toBe("112");
  });

  it("refuses text outside the alphabet", () => {
    expect(decodeBase58("0OIl")).toBeNull();
    expect(decodeBase58("")).toBeNull();
  });
});
