/**
 * The x402 `exact` SVM scheme (`@x402/svm`, client and facilitator) against the LiteSVM RPC harness:
 * the harness answers what the reference facilitator needs (simulateTransaction with and without
 * signature checks, sendTransaction, getSignatureStatuses), the facilitator co-signs as the
 * operator's fee payer, and its refusals (wrong recipient, too small, unfunded payer, forged
 * signature, replay) are the spec's. This is the chain half of Solana payments; farebox's own
 * Solana payment network builds on it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Keypair, type PublicKey } from "@solana/web3.js";
import { getAssociatedTokenAddressSync } from "@solana/spl-token";
import { createKeyPairSignerFromBytes, type KeyPairSigner } from "@solana/kit";
import { x402Client } from "@x402/core/client";
import { x402Facilitator } from "@x402/core/facilitator";
import type { PaymentPayload, PaymentRequirements } from "@x402/core/types";
import { SOLANA_MAINNET_CAIP2, toFacilitatorSvmSigner } from "@x402/svm";
import { ExactSvmScheme as ExactSvmClient } from "@x402/svm/exact/client";
import { registerExactSvmScheme } from "@x402/svm/exact/facilitator";
import { fundedWallet, installMint, mintTo, USDC_MINT } from "../support/solana-rpc/fixtures.js";
import { startSolanaRpc, type SolanaRpcServer } from "../support/solana-rpc/server.js";

let rpc: SolanaRpcServer;
let facilitator: x402Facilitator;
let feePayer: KeyPairSigner;
let treasury: PublicKey;
const payers: Keypair[] = [];
const network = SOLANA_MAINNET_CAIP2;

const treasuryTokens = () => rpc.chain.tokenAmount(getAssociatedTokenAddressSync(USDC_MINT, treasury, true));

function requirements(overrides: Partial<PaymentRequirements> = {}): PaymentRequirements {
  return {
    scheme: "exact",
    network,
    asset: USDC_MINT.toBase58(),
    amount: "100000",
    payTo: treasury.toBase58(),
    maxTimeoutSeconds: 60,
    extra: { feePayer: feePayer.address },
    ...overrides,
  };
}

/** Wallet `index`'s payload for `accepted` (signed over `signed` when the payer is tricked into other terms). */
async function paymentOf(index: number, accepted: PaymentRequirements, signed: PaymentRequirements = accepted): Promise<PaymentPayload> {
  const signer = await createKeyPairSignerFromBytes(payers[index]!.secretKey);
  const client = new x402Client().register(network, new ExactSvmClient(signer, { rpcUrl: rpc.url }));
  const payload = await client.createPaymentPayload({ x402Version: 2, resource: { url: "http://farebox.test/api/v1/chat/completions", description: "", mimeType: "" }, accepts: [signed] });
  return { ...payload, accepted };
}

beforeAll(async () => {
  rpc = await startSolanaRpc();
  const mintAuthority = fundedWallet(rpc.chain);
  installMint(rpc.chain, USDC_MINT, mintAuthority.publicKey);
  treasury = Keypair.generate().publicKey;
  mintTo(rpc.chain, mintAuthority, USDC_MINT, treasury, 0n);
  for (let i = 0; i < 3; i++) {
    const payer = Keypair.generate();
    // payers hold USDC but no SOL: the operator's fee payer pays the fees
    mintTo(rpc.chain, mintAuthority, USDC_MINT, payer.publicKey, i === 2 ? 50_000n : 1_000_000_000n);
    payers.push(payer);
  }
  const operator = fundedWallet(rpc.chain);
  feePayer = await createKeyPairSignerFromBytes(operator.secretKey);
  facilitator = new x402Facilitator();
  registerExactSvmScheme(facilitator, { signer: toFacilitatorSvmSigner(feePayer, { defaultRpcUrl: rpc.url }), networks: network });
});
afterAll(async () => {
  await rpc?.close();
});

describe("x402 exact on Solana through the reference facilitator", () => {
  let settledPayload: PaymentPayload;

  it("verifies a payer's transfer to the treasury, settles it with the operator as fee payer, and the treasury receives it", async () => {
    const payload = await paymentOf(0, requirements());
    const verified = await facilitator.verify(payload, requirements());
    expect(verified).toMatchObject({ isValid: true, payer: payers[0]!.publicKey.toBase58() });
    const before = treasuryTokens();
    const operatorBefore = rpc.chain.lamports(feePayer.address);
    const settled = await facilitator.settle(payload, requirements());
    expect(settled).toMatchObject({ success: true, network, payer: payers[0]!.publicKey.toBase58() });
    expect(rpc.chain.anyTransaction(settled.transaction)?.err).toBeNull();
    expect(treasuryTokens()).toBe(before + 100_000n);
    expect(rpc.chain.lamports(feePayer.address)).toBeLessThan(operatorBefore);
    expect(rpc.calls.get("simulateTransaction")).toBeGreaterThan(0);
    settledPayload = payload;
  });

  it("refuses the same payload again", async () => {
    const before = treasuryTokens();
    const again = await facilitator.settle(settledPayload, requirements());
    expect(again).toMatchObject({ success: false, errorReason: "duplicate_settlement" });
    expect(treasuryTokens()).toBe(before);
  });

  it("refuses a transfer to another recipient, too small an amount, an unfunded payer and a forged signature", async () => {
    const elsewhere = requirements({ payTo: Keypair.generate().publicKey.toBase58() });
    const wrongRecipient = await facilitator.verify(await paymentOf(1, requirements(), elsewhere), requirements());
    expect(wrongRecipient.isValid).toBe(false);
    expect(wrongRecipient.invalidReason).toBe("invalid_exact_svm_payload_recipient_mismatch");

    const tooSmall = await facilitator.verify(await paymentOf(1, requirements(), requirements({ amount: "99999" })), requirements());
    expect(tooSmall.isValid).toBe(false);
    expect(tooSmall.invalidReason).toBe("invalid_exact_svm_payload_amount_mismatch");

    // wallet 2 holds 0.05 USDC: the simulation fails
    const unfunded = await facilitator.verify(await paymentOf(2, requirements()), requirements());
    expect(unfunded.isValid).toBe(false);
    expect(unfunded.invalidReason).toBe("invalid_exact_svm_transaction_simulation_failed");

    // a transaction whose payer signature was made by another key
    const genuine = await paymentOf(1, requirements());
    const bytes = Buffer.from((genuine.payload as { transaction: string }).transaction, "base64");
    const forged = Buffer.from(bytes);
    // the signatures follow the compact count byte: corrupt every non-empty one
    for (let offset = 1; offset < 1 + 64 * forged[0]!; offset += 64) {
      if (forged.subarray(offset, offset + 64).some((b) => b !== 0)) forged[offset] = forged[offset]! ^ 0xff;
    }
    const forgedPayload = { ...genuine, payload: { transaction: forged.toString("base64") } };
    const before = treasuryTokens();
    const settledForged = await facilitator.settle(forgedPayload, requirements());
    expect(settledForged).toMatchObject({ success: false, errorReason: "invalid_exact_svm_payload_signature_invalid" });
    expect(treasuryTokens()).toBe(before);
  });
});
