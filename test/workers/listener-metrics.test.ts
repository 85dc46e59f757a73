import { Keypair, PublicKey } from "@solana/web3.js";
import { getAddress } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEvmPublicClient, evmChainKey } from "../../src/chains/evm/client.js";
import { RangeSizer } from "../../src/chains/evm/range.js";
import { resolveTreasuryAssets } from "../../src/chains/solana/assets.js";
import { createSolanaConnection } from "../../src/chains/solana/connection.js";
import type { SolanaScanCursor } from "../../src/chains/solana/scanner.js";
import { getCursor } from "../../src/deposits/cursors.js";
import { createEvmValuer } from "../../src/deposits/evm-valuer.js";
import { runEvmListener } from "../../src/workers/evm-listener.js";
import { ChainListenerStatus } from "../../src/workers/listener-status.js";
import { runSolanaListener, type SolanaListenerStore } from "../../src/workers/solana-listener.js";
import { find, parsePrometheus } from "../metrics/parse-prometheus.js";
import { startAnvil, type Anvil } from "../support/anvil.js";
import { startTestApp, type TestApp } from "../support/app.js";
import { startRpcProxy, type RpcProxy } from "../support/rpc-proxy.js";
import { fundedWallet, transferSol } from "../support/solana-rpc/fixtures.js";
import { startSolanaRpc, type SolanaRpcServer } from "../support/solana-rpc/server.js";

/** The status clock: moved by the test so each pass's success time is known. */
let statusNow = new Date("2026-03-01T00:00:10Z");
const status = new ChainListenerStatus(() => statusNow);
let server: TestApp;

beforeAll(async () => {
  server = await startTestApp("pglite", { deps: { chainListeners: status } });
});
afterAll(async () => {
  await server?.close();
});

async function scrape(chain: string): Promise<{ lag: number | undefined; lastSuccessSeconds: number | undefined }> {
  const response = await fetch(`${server.url}/metrics`);
  expect(response.status).toBe(200);
  const parsed = parsePrometheus(await response.text());
  return {
    lag: find(parsed, "farebox_chain_listener_lag_blocks", { chain })[0]?.value,
    lastSuccessSeconds: find(parsed, "farebox_chain_listener_last_success_timestamp_seconds", { chain })[0]?.value,
  };
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not reached");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const seconds = (at: Date) => Math.floor(at.getTime() / 1000);

describe("EVM listener in /metrics", () => {
  let anvil: Anvil;
  let proxy: RpcProxy;
  beforeAll(async () => {
    anvil = await startAnvil();
    proxy = await startRpcProxy(anvil.url);
  });
  afterAll(async () => {
    await proxy?.stop();
    await anvil?.stop();
  });

  it("shows head minus cursor and the last successful pass, which a failing node does not advance", async () => {
    const chain = evmChainKey(anvil.chainId);
    await anvil.mine(12);
    const controller = new AbortController();
    let passes = 0;
    let errors = 0;
    const running = runEvmListener({
      deps: {
        db: server.database.db,
        client: createEvmPublicClient({ chainId: anvil.chainId, rpcUrl: proxy.url, retryCount: 0, timeoutMs: 2_000 }),
        watch: { chain, treasury: getAddress("0x00000000000000000000000000000000000b0b00"), tokens: [] },
        confirmations: 3, // credit depth: the cursor stays 2 blocks below the head
        sizer: new RangeSizer(100n),
        valuer: createEvmValuer([], () => new Date()),
        now: () => new Date(),
        startBlock: 1n,
      },
      pollIntervalMs: 20,
      signal: controller.signal,
      status: status.forChain(chain),
      onPass: () => (passes += 1),
      onError: () => (errors += 1),
    });
    try {
      expect((await scrape(chain)).lag).toBeUndefined(); // no pass yet, no series
      await until(() => passes >= 1);
      const first = await scrape(chain);
      const head = await anvil.publicClient.getBlockNumber();
      const cursor = await getCursor(server.database.db, chain);
      expect(cursor?.block).toBe(head - 2n);
      expect(first).toEqual({ lag: 2, lastSuccessSeconds: seconds(statusNow) });

      // The node goes down while blocks keep coming: passes fail, the last success stays put.
      const succeededAt = statusNow;
      statusNow = new Date("2026-03-01T00:05:00Z");
      proxy.failing = true;
      const errorsBefore = errors;
      await anvil.mine(30);
      await until(() => errors >= errorsBefore + 2);
      expect(await scrape(chain)).toEqual({ lag: 2, lastSuccessSeconds: seconds(succeededAt) });

      // Back up: the next pass catches up and is the new last success.
      proxy.failing = false;
      const passesBefore = passes;
      await until(() => passes > passesBefore);
      const recovered = await scrape(chain);
      expect(recovered).toEqual({ lag: 2, lastSuccessSeconds: seconds(statusNow) });
      expect((await getCursor(server.database.db, chain))?.block).toBe((await anvil.publicClient.getBlockNumber()) - 2n);
    } finally {
      controller.abort();
      await running;
    }
  });
});

describe("Solana listener in /metrics", () => {
  let rpc: SolanaRpcServer;
  beforeAll(async () => {
    rpc = await startSolanaRpc({ finalizedLag: 4 });
  });
  afterAll(async () => {
    await rpc?.close();
  });

  it("shows head minus processed slot and the last successful pass, which RPC failures do not advance", async () => {
    const chain = "solana:test";
    const treasury = Keypair.generate().publicKey.toBase58();
    let cursor: SolanaScanCursor = {};
    let credited = 0n;
    const store: SolanaListenerStore = {
      loadCursor: async () => cursor,
      openReferences: async () => [],
      creditWaiting: async () => {},
      commitBatch: async (batch) => {
        for (const observation of batch.observations) credited += observation.amountBaseUnits;
        cursor = batch.cursor;
      },
    };
    statusNow = new Date("2026-03-02T10:00:00Z");
    const controller = new AbortController();
    let passes = 0;
    let errors = 0;
    const running = runSolanaListener({
      connection: createSolanaConnection({ rpcUrl: rpc.url, commitment: "finalized", timeoutMs: 1_000 }),
      scan: { treasury, assets: resolveTreasuryAssets(treasury, [{ symbol: "SOL", native: true }]), commitment: "finalized" },
      store,
      pollIntervalMs: 20,
      maxBackoffMs: 50,
      signal: controller.signal,
      status: status.forChain(chain),
      onPass: () => (passes += 1),
      onError: () => (errors += 1),
    });
    try {
      transferSol(rpc.chain, fundedWallet(rpc.chain), new PublicKey(treasury), 3_000_000n);
      rpc.chain.finalizeAll();
      await until(() => credited === 3_000_000n);
      const passesBefore = passes;
      await until(() => passes > passesBefore);
      // Caught up at finalized: the lag is how far finalized trails the newest slot.
      expect(await scrape(chain)).toEqual({ lag: 4, lastSuccessSeconds: seconds(statusNow) });

      const succeededAt = statusNow;
      statusNow = new Date("2026-03-02T10:07:00Z");
      rpc.inject({ method: "getSignaturesForAddress", kind: "http-500", times: 1_000 });
      const errorsBefore = errors;
      rpc.chain.advance(25);
      await until(() => errors >= errorsBefore + 2);
      expect(await scrape(chain)).toEqual({ lag: 4, lastSuccessSeconds: seconds(succeededAt) });

      rpc.clearFaults();
      const passesAfterFailure = passes;
      await until(() => passes > passesAfterFailure);
      expect(await scrape(chain)).toEqual({ lag: 4, lastSuccessSeconds: seconds(statusNow) });
    } finally {
      controller.abort();
      await running;
    }
  });
});
