/**
 * The start-up check of how a chain's ETH is read: traces when the node answers them (anvil answers
 * both flavours; a proxy refuses them as a node without tracing would), top-level only when it does
 * not or when `internal_eth: off` — and then the deposit API warns payers.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { anvilAccount, startAnvil, type Anvil } from "../support/anvil.js";
import { startRpcProxy, type RpcProxy } from "../support/rpc-proxy.js";
import { startTestApp } from "../support/app.js";
import { evmChainSchema, type EvmChainConfig } from "../../src/config/chains-schema.js";
import { createEvmPublicClient } from "../../src/chains/evm/client.js";
import { createChainRuntime } from "../../src/deposits/runtime.js";
import { TOP_LEVEL_ONLY_NOTICE } from "../../src/deposits/evm-chain.js";
import { applyNativeEth, decideNativeEth } from "../../src/deposits/evm-native-eth.js";
import { startEvmListeners } from "../../src/workers/evm-listeners.js";

let anvil: Anvil;
let noDebug: RpcProxy;
let noTraces: RpcProxy;

function chainConfig(rpcUrl: string, extra: Partial<Record<keyof EvmChainConfig, unknown>> = {}): EvmChainConfig {
  return evmChainSchema.parse({
    chain_id: anvil.chainId,
    rpc_url: rpcUrl,
    treasury: "0x000000000000000000000000000000000000fEEd",
    assets: [{ symbol: "ETH", native: true }],
    ...extra,
  });
}

async function decide(config: EvmChainConfig) {
  const [runtime] = createChainRuntime([config], () => new Date()).evm;
  if (!runtime) throw new Error("no runtime");
  return { runtime, decision: await decideNativeEth(runtime.client, runtime) };
}

beforeAll(async () => {
  anvil = await startAnvil();
  noDebug = await startRpcProxy(anvil.url, { refusedMethods: ["debug_traceBlockByNumber"] });
  noTraces = await startRpcProxy(anvil.url, { refusedMethods: ["debug_traceBlockByNumber", "trace_block"] });
  await anvil.mine(1);
});
afterAll(async () => {
  await noDebug?.stop();
  await noTraces?.stop();
  await anvil?.stop();
});

describe("how ETH deposits are read, decided at start", () => {
  it("uses the call tracer when the node answers it, else trace_block, else top-level transfers with a warning to payers", async () => {
    const traced = await decide(chainConfig(anvil.url));
    expect(traced.runtime.description.notice).toBe(TOP_LEVEL_ONLY_NOTICE); // until the check says otherwise
    expect(traced.decision.via).toEqual({ kind: "traces", api: "debug_traceBlockByNumber" });
    applyNativeEth(traced.runtime, traced.decision);
    expect(traced.runtime.watch.nativeVia).toEqual({ kind: "traces", api: "debug_traceBlockByNumber" });
    expect(traced.runtime.description.notice).toBeUndefined();

    expect((await decide(chainConfig(noDebug.url))).decision.via).toEqual({ kind: "traces", api: "trace_block" });

    const plain = await decide(chainConfig(noTraces.url));
    expect(plain.decision).toMatchObject({ via: { kind: "top_level" }, reason: expect.stringMatching(/neither/) });
    applyNativeEth(plain.runtime, plain.decision);
    expect(plain.runtime.description.notice).toBe(TOP_LEVEL_ONLY_NOTICE);

    const off = await decide(chainConfig(anvil.url, { internal_eth: "off" }));
    expect(off.decision.via).toEqual({ kind: "top_level" });
  });

  it("reads a receiver treasury from its logs, and a receiver setting without a contract there as a plain address", async () => {
    const receiver = await anvil.deploy("DepositReceiver", [anvilAccount(8).address]);
    const deployed = await decide(chainConfig(anvil.url, { treasury: receiver, treasury_receiver: true }));
    expect(deployed.runtime.description.notice).toBeUndefined();
    expect(deployed.decision.via).toEqual({ kind: "receiver" });
    const missing = await decide(chainConfig(anvil.url, { treasury_receiver: true }));
    expect(missing.decision).toMatchObject({ via: { kind: "traces" }, reason: expect.stringMatching(/has no code/) });
  });

  it("the listener logs the check at start and the deposit API tells payers when ETH from contracts is not seen", { timeout: 60_000 }, async () => {
    const config = chainConfig(noTraces.url, { poll_interval_ms: 200 }); // a failed check is retried soon
    const runtime = createChainRuntime([config], () => new Date(), (c) => createEvmPublicClient({ chainId: c.chain_id, rpcUrl: c.rpc_url, retryCount: 0 }));
    const testApp = await startTestApp("pglite", { config: { chains: { evm: [config], solana: null } }, deps: { chains: runtime } });
    const lines: string[] = [];
    const log = { info: (_: object, m: string) => lines.push(`info ${m}`), warn: (_: object, m: string) => lines.push(`warn ${m}`), error: (_: object, m: string) => lines.push(`error ${m}`) };
    const controller = new AbortController();
    try {
      const running = startEvmListeners({ db: testApp.database.db, chains: runtime.evm, signal: controller.signal, now: () => new Date(), log });
      const deadline = Date.now() + 20_000;
      while (!lines.some((l) => l.includes("ETH deposits:")) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      controller.abort();
      await Promise.all(running);
      expect(lines.filter((l) => l.includes("ETH deposits:"))).toContainEqual(expect.stringMatching(/^warn ETH deposits: the RPC offers neither .* send ETH from a regular account; USDC from any wallet/));
      const response = await fetch(`${testApp.url}/api/v1/credits/deposit-addresses`);
      expect(response.status).toBe(200);
      const body = (await response.json()) as { data: { notice: string | null }[] };
      expect(body.data).toEqual([expect.objectContaining({ notice: "send ETH from a regular account; USDC from any wallet" })]);
    } finally {
      controller.abort();
      await testApp.close();
    }
  });
});
