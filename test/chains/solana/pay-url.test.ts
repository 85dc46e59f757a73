import { PublicKey } from "@solana/web3.js";
import { describe, expect, it } from "vitest";
import { encodeTransferRequest, newReferenceKey } from "../../../src/chains/solana/pay-url.js";

describe("Solana Pay transfer request", () => {
  it("encodes amount in user units, the mint, the reference and escaped labels", () => {
    const reference = newReferenceKey();
    expect(new PublicKey(reference).toBase58()).toBe(reference);
    expect(newReferenceKey()).not.toBe(reference);
    const url = encodeTransferRequest({
      recipient: "mvines9iiHiQTysrwkJjGf2gb9Ex9jXJX8ns3qwf2kN",
      amountBaseUnits: 10_000_001n,
      decimals: 6,
      splToken: "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v",
      reference,
      label: "farebox credits",
      message: "Top-up #1 & more",
    });
    expect(url).toBe(
      "solana:mvines9iiHiQTysrwkJjGf2gb9Ex9jXJX8ns3qwf2kN?amount=10.000001" +
        `&spl-token=EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v&reference=${reference}` +
        "&label=farebox%20credits&message=Top-up%20%231%20%26%20more",
    );
  });

  it("writes SOL amounts without an exponent", () => {
    const url = encodeTransferRequest({ recipient: "x", amountBaseUnits: 1n, decimals: 9, reference: "r" });
    expect(url).toBe("solana:x?amount=0.000000001&reference=r");
  });
});
