import { Keypair, SystemProgram, type Connection, type PublicKey } from "@solana/web3.js";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { resolveTreasuryAssets } from "../../../src/chains/solana/assets.js";
import { createSolanaConnection, SolanaRpcTimeoutError } from "../../../src/chains/solana/connection.js";
import type { SolanaDepositObservation } from "../../../src/chains/solana/observation.js";
import {
  scanSolanaDeposits,
  type SolanaScanConfig,
  type SolanaScanCursor,
} from "../../../src/chains/solana/scanner.js";
import {
  buildTransaction,
  fundedWallet,
  installMint,
  mintTo,
  transferSol,
  transferToken,
  USDC_MINT,
} from "../../support/solana-rpc/fixtures.js";
import { startSolanaRpc, type SolanaRpcServer } from "../../support/solana-rpc/server.js";

let rpc: SolanaRpcServer;
let connection: Connection;
let mintAuthority: Keypair;

beforeAll(async () => {
  rpc = await startSolanaRpc();
  connection = createSolanaConnection({ rpcUrl: rpc.url, commitment: "finalized", timeoutMs: 2_000 });
  mintAuthority = fundedWallet(rpc.chain);
  installMint(rpc.chain, USDC_MINT, mintAuthority.publicKey);
});

afterAll(async () => {
  await rpc.close();
});

beforeEach(() => {
  rpc.clearFaults();
  rpc.chain.finalizedLag = 0;
  rpc.chain.confirmedLag = 0;
});

/** A fresh treasury per test, so histories do not mix. */
function setup(overrides: Partial<SolanaScanConfig> = {}) {
  const treasury = Keypair.generate().publicKey;
  const config: SolanaScanConfig = {
    treasury: treasury.toBase58(),
    assets: resolveTreasuryAssets(treasury.toBase58(), [
      { symbol: "SOL", native: true },
      { symbol: "USDC", mint: USDC_MINT.toBase58(), decimals: 6 },
    ]),
    commitment: "finalized",
    ...overrides,
  };
  /** Stands in for the deposits table: the unique key (signature, account, mint|SOL) keeps one row. */
  const credited = new Map<string, SolanaDepositObservation>();
  let cursor: SolanaScanCursor = {};
  let batches = 0;
  const scan = async (options: { failOnBatch?: number; references?: string[] } = {}) =>
    scanSolanaDeposits(
      connection,
      config,
      cursor,
      async (batch) => {
        batches += 1;
        if (options.failOnBatch === batches) throw new Error("process died mid-pass");
        for (const observation of batch.observations) {
          const key = `${observation.signature}:${observation.to}:${observation.asset}`;
          if (!credited.has(key)) credited.set(key, observation);
        }
        cursor = batch.cursor;
      },
      options.references,
    );
  const total = (asset: string) =>
    [...credited.values()].filter((o) => o.asset === asset).reduce((sum, o) => sum + o.amountBaseUnits, 0n);
  return { treasury, config, credited, scan, total, cursor: () => cursor };
}

function usdcSender(amount = 1_000_000_000n): Keypair {
  const sender = fundedWallet(rpc.chain);
  mintTo(rpc.chain, mintAuthority, USDC_MINT, sender.publicKey, amount);
  return sender;
}

describe("Solana deposit scanner through a real Connection", () => {
  it("observes SOL and USDC deposits with exact bigint amounts, once across passes", async () => {
    const t = setup();
    const payer = fundedWallet(rpc.chain);
    const sol = transferSol(rpc.chain, payer, t.treasury, 1_234_567_891n);
    const sender = usdcSender();
    const usdc = transferToken(rpc.chain, sender, USDC_MINT, t.treasury, 25_000_001n, { createRecipientAccount: true });
    const first = await t.scan();
    expect(first.observations).toBe(2);
    expect(t.total("SOL")).toBe(1_234_567_891n);
    expect(t.total(USDC_MINT.toBase58())).toBe(25_000_001n);
    const solObservation = [...t.credited.values()].find((o) => o.signature === sol.signature)!;
    expect(solObservation).toMatchObject({ symbol: "SOL", decimals: 9, senders: [payer.publicKey.toBase58()] });
    const usdcObservation = [...t.credited.values()].find((o) => o.signature === usdc.signature)!;
    expect(usdcObservation.senders).toEqual([sender.publicKey.toBase58()]);

    // A second pass only re-reads the overlap window; the unique key keeps one credit each.
    const again = await t.scan();
    expect(again.observations).toBe(2);
    expect(t.credited.size).toBe(2);
    expect(t.total("SOL")).toBe(1_234_567_891n);
  });

  it("credits the token account created in the deposit transaction itself", async () => {
    const t = setup();
    const sender = usdcSender();
    const record = transferToken(rpc.chain, sender, USDC_MINT, t.treasury, 7_000_000n, {
      createRecipientAccount: true,
    });
    expect(record.preTokenBalances.some((b) => b.owner === t.treasury.toBase58())).toBe(false);
    await t.scan();
    expect(t.total(USDC_MINT.toBase58())).toBe(7_000_000n);
    // A later transfer into the now-existing account is the delta only, not the whole balance.
    transferToken(rpc.chain, sender, USDC_MINT, t.treasury, 3_000_000n);
    await t.scan();
    expect(t.total(USDC_MINT.toBase58())).toBe(10_000_000n);
    expect(t.credited.size).toBe(2);
  });

  it("does not report a failed transaction", async () => {
    const t = setup();
    const poor = fundedWallet(rpc.chain, 50_000_000n);
    const failed = rpc.chain.send(
      buildTransaction(rpc.chain, poor, [
        SystemProgram.transfer({ fromPubkey: poor.publicKey, toPubkey: t.treasury, lamports: 40_000_000 }),
        SystemProgram.transfer({ fromPubkey: poor.publicKey, toPubkey: t.treasury, lamports: 40_000_000 }),
      ]),
    );
    expect(failed.err).not.toBeNull();
    const ok = transferSol(rpc.chain, fundedWallet(rpc.chain), t.treasury, 5_000_000n);
    const result = await t.scan();
    expect(result.observations).toBe(1);
    expect([...t.credited.values()].map((o) => o.signature)).toEqual([ok.signature]);
    // The failed signature was listed (cursor moved past it) but never fetched.
    const fetched = (rpc.log.get("getTransaction") ?? []).map((params) => params[0]);
    expect(fetched).not.toContain(failed.signature);
  });

  it("reports nothing before the configured commitment is reached", async () => {
    rpc.chain.finalizedLag = 4;
    rpc.chain.confirmedLag = 1;
    const t = setup();
    transferSol(rpc.chain, fundedWallet(rpc.chain), t.treasury, 9_000_000n);
    rpc.chain.advance(1); // confirmed now, not finalized
    const early = await t.scan();
    expect(early.observations).toBe(0);
    expect(t.cursor()).toEqual({});
    rpc.chain.advance(3);
    await t.scan();
    expect(t.total("SOL")).toBe(9_000_000n);
  });

  it("pages more than 1000 signatures back to the cursor", async () => {
    const t = setup();
    const payer = fundedWallet(rpc.chain, 100_000_000_000n);
    let expected = 0n;
    for (let i = 1; i <= 1_005; i += 1) {
      transferSol(rpc.chain, payer, t.treasury, 1_000_000n + BigInt(i));
      expected += 1_000_000n + BigInt(i);
    }
    const calls = (rpc.log.get("getSignaturesForAddress") ?? []).length;
    const result = await t.scan();
    expect(result.observations).toBe(1_005);
    expect(t.total("SOL")).toBe(expected);
    const pages = (rpc.log.get("getSignaturesForAddress") ?? []).slice(calls) as [string, { before?: string }][];
    const treasuryPages = pages.filter(([address]) => address === t.treasury.toBase58());
    expect(treasuryPages.length).toBe(2);
    expect(treasuryPages[1]![1].before).toBeDefined();

    // The next deposit is found from the cursor without re-reading the whole history.
    transferSol(rpc.chain, payer, t.treasury, 77n * 1_000_000n);
    const next = await t.scan();
    expect(next.observations).toBeLessThanOrEqual(51);
    expect(t.credited.size).toBe(1_006);
  });

  it("resumes after a crash mid-pass without losing or doubling a deposit", async () => {
    const t = setup({ batchSize: 40 });
    const payer = fundedWallet(rpc.chain, 100_000_000_000n);
    let expected = 0n;
    for (let i = 1; i <= 130; i += 1) {
      transferSol(rpc.chain, payer, t.treasury, 2_000_000n + BigInt(i));
      expected += 2_000_000n + BigInt(i);
    }
    await expect(t.scan({ failOnBatch: 2 })).rejects.toThrow("process died mid-pass");
    expect(t.credited.size).toBe(40);
    const saved = t.cursor();
    expect(Object.keys(saved)).toEqual([t.treasury.toBase58()]);

    // The RPC failing mid-pass leaves the cursor where the last committed batch put it.
    rpc.inject({ method: "getTransaction", kind: "rpc-error", code: -32005, message: "Node is behind", times: 200 });
    await expect(t.scan()).rejects.toThrow(/Node is behind/);
    rpc.clearFaults();

    const resumed = await t.scan();
    expect(resumed.complete).toBe(true);
    expect(t.credited.size).toBe(130);
    expect(t.total("SOL")).toBe(expected);
  });

  it("logs and skips an undecodable transaction without stalling", async () => {
    const warnings: Record<string, unknown>[] = [];
    const t = setup({ logger: { warn: (_message, details) => warnings.push(details ?? {}) } });
    const payer = fundedWallet(rpc.chain);
    const bad = transferSol(rpc.chain, payer, t.treasury, 3_000_000n);
    const good = transferSol(rpc.chain, payer, t.treasury, 4_000_000n);
    rpc.corrupt(bad.signature);
    const result = await t.scan();
    expect(result.skipped).toEqual([bad.signature]);
    expect(warnings).toEqual([expect.objectContaining({ signature: bad.signature })]);
    expect([...t.credited.values()].map((o) => o.signature)).toEqual([good.signature]);
    expect(t.cursor()[t.treasury.toBase58()]?.signature).toBe(good.signature);
  });

  it("fails the pass on a hung RPC instead of waiting forever, then recovers", async () => {
    const t = setup();
    transferSol(rpc.chain, fundedWallet(rpc.chain), t.treasury, 6_000_000n);
    const quick = createSolanaConnection({ rpcUrl: rpc.url, commitment: "finalized", timeoutMs: 300 });
    rpc.inject({ method: "getSignaturesForAddress", kind: "hang" });
    await expect(
      scanSolanaDeposits(quick, t.config, {}, async () => undefined),
    ).rejects.toBeInstanceOf(SolanaRpcTimeoutError);
    rpc.inject({ method: "getTransaction", kind: "delay", delayMs: 100 });
    await t.scan();
    expect(t.total("SOL")).toBe(6_000_000n);
  });

  it("matches a Solana Pay reference through the reference's own signature list", async () => {
    const t = setup();
    const reference: PublicKey = Keypair.generate().publicKey;
    const stranger = usdcSender();
    const record = transferToken(rpc.chain, stranger, USDC_MINT, t.treasury, 15_000_000n, {
      createRecipientAccount: true,
      references: [reference],
    });
    const plain = transferSol(rpc.chain, fundedWallet(rpc.chain), t.treasury, 8_000_000n);
    await t.scan({ references: [reference.toBase58()] });
    const lookedUp = (rpc.log.get("getSignaturesForAddress") ?? []).map((params) => params[0]);
    expect(lookedUp).toContain(reference.toBase58());
    const byKey = new Map([...t.credited.values()].map((o) => [o.signature, o]));
    expect(byKey.get(record.signature)?.reference).toBe(reference.toBase58());
    expect(byKey.get(plain.signature)?.reference).toBeUndefined();
  });

  it("still matches references beyond the lookup budget through the transaction's own keys", async () => {
    const t = setup({ referenceLookups: 0 });
    const reference = Keypair.generate().publicKey;
    const record = transferSol(rpc.chain, fundedWallet(rpc.chain), t.treasury, 4_400_000n, { references: [reference] });
    const before = (rpc.log.get("getSignaturesForAddress") ?? []).length;
    await t.scan({ references: [reference.toBase58()] });
    const lookedUp = (rpc.log.get("getSignaturesForAddress") ?? []).slice(before).map((params) => params[0]);
    expect(lookedUp).not.toContain(reference.toBase58());
    expect([...t.credited.values()].find((o) => o.signature === record.signature)?.reference).toBe(reference.toBase58());
  });
});
