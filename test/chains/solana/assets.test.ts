import { getAssociatedTokenAddressSync } from "@solana/spl-token";
import { Keypair, PublicKey } from "@solana/web3.js";
import { describe, expect, it } from "vitest";
import { associatedTokenAddress, resolveTreasuryAssets } from "../../../src/chains/solana/assets.js";

describe("associated token accounts", () => {
  it("derives the same address as @solana/spl-token, for wallets and for off-curve owners", () => {
    const usdc = new PublicKey("EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v");
    const owners = [Keypair.generate().publicKey, Keypair.generate().publicKey];
    owners.push(associatedTokenAddress(usdc, owners[0]!)); // a PDA: off the curve
    for (const owner of owners) {
      const mint = Keypair.generate().publicKey;
      expect(associatedTokenAddress(mint, owner).toBase58()).toBe(getAssociatedTokenAddressSync(mint, owner, true).toBase58());
      expect(associatedTokenAddress(usdc, owner).toBase58()).toBe(getAssociatedTokenAddressSync(usdc, owner, true).toBase58());
    }
  });

  it("watches the treasury's token account for each SPL asset and the wallet for SOL", () => {
    const treasury = Keypair.generate().publicKey;
    const mint = Keypair.generate().publicKey;
    const [sol, usdc] = resolveTreasuryAssets(treasury.toBase58(), [
      { symbol: "SOL", native: true },
      { symbol: "USDC", mint: mint.toBase58(), decimals: 6 },
    ]);
    expect(sol).toEqual({ symbol: "SOL", decimals: 9 });
    expect(usdc?.tokenAccount).toBe(getAssociatedTokenAddressSync(mint, treasury, true).toBase58());
  });
});
