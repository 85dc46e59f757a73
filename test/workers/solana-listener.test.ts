import { Keypair, PublicKey } from "@solana/web3.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveTreasuryAssets } from "../../src/chains/solana/assets.js";
import { createSolanaConnection } from "../../src/chains/solana/connection.js";
import type { SolanaScanCursor } from "../../src/chains/solana/scanner.js";
import { runSolanaListener, type SolanaListenerStore } from "../../src/workers/solana-listener.js";
import { fundedWallet, transferSol } from "../support/solana-rpc/fixtures.js";
import { startSolanaRpc, type SolanaRpcServer } from "../support/solana-rpc/server.js";

let rpc: SolanaRpcServer;

beforeAll(async () => {
  rpc = await startSolanaRpc();
});

afterAll(async () => {
  await rpc.close();
});

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not reached");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("Solana listener loop", () => {
  it("keeps polling through RPC failures and stops when aborted", async () => {
    const treasury = Keypair.generate().publicKey.toBase58();
    const credited = new Map<string, bigint>();
    let cursor: SolanaScanCursor = {};
    const store: SolanaListenerStore = {
      loadCursor: async () => cursor,
      openReferences: async () => [],
      creditWaiting: async () => {},
      commitBatch: async (batch) => {
        for (const o of batch.observations) credited.set(`${o.signature}:${o.to}:${o.asset}`, o.amountBaseUnits);
        cursor = batch.cursor;
      },
    };
    const errors: unknown[] = [];
    const controller = new AbortController();
    const running = runSolanaListener({
      connection: createSolanaConnection({ rpcUrl: rpc.url, commitment: "finalized", timeoutMs: 1_000 }),
      scan: { treasury, assets: resolveTreasuryAssets(treasury, [{ symbol: "SOL", native: true }]), commitment: "finalized" },
      store,
      pollIntervalMs: 20,
      maxBackoffMs: 50,
      signal: controller.signal,
      onError: (error) => errors.push(error),
    });
    const payer = fundedWallet(rpc.chain);
    transferSol(rpc.chain, payer, new PublicKey(treasury), 3_000_000n);
    await until(() => credited.size === 1);

    rpc.inject({ method: "getSignaturesForAddress", kind: "http-500", times: 3 });
    transferSol(rpc.chain, payer, new PublicKey(treasury), 4_000_000n);
    await until(() => credited.size === 2);
    expect(errors.length).toBeGreaterThanOrEqual(1);
    expect([...credited.values()].reduce((a, b) => a + b, 0n)).toBe(7_000_000n);

    controller.abort();
    await running;
  });

  it("is woken by an onLogs notification long before its poll interval", async () => {
    const treasury = Keypair.generate().publicKey.toBase58();
    const credited = new Map<string, bigint>();
    let cursor: SolanaScanCursor = {};
    let passes = 0;
    const store: SolanaListenerStore = {
      loadCursor: async () => cursor,
      openReferences: async () => [],
      creditWaiting: async () => {},
      commitBatch: async (batch) => {
        for (const o of batch.observations) credited.set(`${o.signature}:${o.to}:${o.asset}`, o.amountBaseUnits);
        cursor = batch.cursor;
      },
    };
    const controller = new AbortController();
    const connection = createSolanaConnection({ rpcUrl: rpc.url, wsUrl: rpc.wsUrl, commitment: "finalized" });
    const running = runSolanaListener({
      connection,
      scan: { treasury, assets: resolveTreasuryAssets(treasury, [{ symbol: "SOL", native: true }]), commitment: "finalized" },
      store,
      pollIntervalMs: 120_000,
      wakeOnLogs: true,
      signal: controller.signal,
      onPass: () => (passes += 1),
    });
    await until(() => passes === 1 && rpc.subscriptionCount() === 1);
    transferSol(rpc.chain, fundedWallet(rpc.chain), new PublicKey(treasury), 5_000_000n);
    await until(() => credited.size === 1);
    expect(passes).toBe(2);
    controller.abort();
    await running;
    await until(() => rpc.subscriptionCount() === 0);
  });
});
