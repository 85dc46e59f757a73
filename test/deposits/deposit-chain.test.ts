import { describe, expect, it } from "vitest";
import { findDepositChain, type DepositChain } from "../../src/deposits/deposit-chain.js";

/** Only the fields chain lookup reads. */
const chain = (fields: Pick<DepositChain, "chain" | "family" | "name"> & { chainId?: number }) => fields as DepositChain;
const base = chain({ chain: "eip155:8453", family: "evm", chainId: 8453, name: "Base" });
const mainnet = chain({ chain: "eip155:1", family: "evm", chainId: 1, name: "Ethereum" });
const solana = chain({ chain: "solana:mainnet", family: "solana", name: "Solana" });

describe("finding a deposit chain", () => {
  it("takes the family name sign-in uses when it names exactly one configured chain", () => {
    expect(findDepositChain([base, solana], "evm")).toBe(base);
    expect(findDepositChain([base, solana], "solana")).toBe(solana);
  });

  it("refuses a family name that names several chains, and keeps the exact spellings", () => {
    expect(findDepositChain([base, mainnet, solana], "evm")).toBeUndefined();
    expect(findDepositChain([base, mainnet], "eip155:1")).toBe(mainnet);
    expect(findDepositChain([base, mainnet], 8453)).toBe(base);
  });
});
