/**
 * x402 payments across processes, on Postgres: a gateway killed with SIGKILL after its relayer sent the
 * transfer but before crediting it loses nothing (the wallet's account existed before the transfer, so
 * the chain listener credits it, once); two processes handed the same PAYMENT-SIGNATURE settle it once.
 */
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { getAddress } from "viem";
import { decodePaymentRequiredHeader, encodePaymentSignatureHeader } from "@x402/core/http";
import type { Db } from "../../src/db/client.js";
import { deposits, walletIdentities, x402Payments } from "../../src/db/schema/index.js";
import { createChainRuntime } from "../../src/deposits/runtime.js";
import { syncEvmChain } from "../../src/deposits/evm-sync.js";
import { RangeSizer } from "../../src/chains/evm/range.js";
import { auditLedger, getBalance } from "../../src/ledger/index.js";
import { buildTestApp, TEST_ADMIN_TOKEN, testConfig } from "../support/app.js";
import { createTestDatabase, type TestDatabase } from "../support/db.js";
import { startFakeOpenAI, type FakeUpstream } from "../support/fake-upstreams/index.js";
import { startRpcProxy, type RpcProxy } from "../support/rpc-proxy.js";
import { spawnGateway } from "../support/spawn-gateway.js";
import { twoProcesses } from "../support/two-processes.js";
import { startX402Chain, type X402Chain } from "../support/x402-world.js";

const chatBody = JSON.stringify({ model: "test/chat", messages: [{ role: "user", content: "Hello" }], max_tokens: 20 });
const post = (url: string, headers: Record<string, string> = {}) =>
  fetch(`${url}/api/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: chatBody });

/** Wallet `index`'s signed payment for what `url` asks, as a PAYMENT-SIGNATURE header. */
async function paymentFor(chain: X402Chain, url: string, index: number): Promise<string> {
  const asked = await post(url);
  expect(asked.status).toBe(402);
  return encodePaymentSignatureHeader(await chain.client(index).createPaymentPayload(decodePaymentRequiredHeader(asked.headers.get("payment-required")!)));
}

async function accountOf(db: Db, address: string): Promise<string | undefined> {
  const [row] = await db.select().from(walletIdentities).where(and(eq(walletIdentities.family, "evm"), eq(walletIdentities.address, getAddress(address))));
  return row?.accountId;
}

/** One pass of the chain listener over everything mined so far (what a restarted process's listener does). */
async function listenerPass(chain: X402Chain, db: Db) {
  const evm = createChainRuntime([chain.evm], () => new Date()).evm[0]!;
  await chain.anvil.mine(3);
  return syncEvmChain({ db, client: evm.client, watch: evm.watch, confirmations: 2, sizer: new RangeSizer(100n), valuer: evm.valuer, now: () => new Date(), startBlock: 1n });
}

describe.skipIf(!process.env.TEST_DATABASE_URL)("x402 across processes", () => {
  let chain: X402Chain;
  let upstream: FakeUpstream;
  beforeAll(async () => {
    chain = await startX402Chain();
    upstream = await startFakeOpenAI({ script: { text: "Paid.", usage: { prompt: 10, completion: 5 } } });
  });
  afterAll(async () => {
    await upstream?.close();
    await chain?.stop();
  });

  describe("kill -9 between settlement and crediting", () => {
    let database: TestDatabase;
    let proxy: RpcProxy;
    const children: ChildProcessWithoutNullStreams[] = [];
    beforeAll(async () => {
      database = await createTestDatabase("postgres");
      proxy = await startRpcProxy(chain.anvil.url);
    });
    afterAll(async () => {
      for (const child of children) child.kill("SIGKILL");
      await proxy?.stop();
      await database?.close();
    });
    const start = () => {
      const config = chain.config();
      const extra = { ...config, chains: { evm: [{ ...chain.evm, rpc_url: proxy.url }], solana: null } };
      const gateway = spawnGateway({ DATABASE_URL: database.url!, UPSTREAM_URL: upstream.url, ADMIN_TOKEN: TEST_ADMIN_TOKEN, EXTRA_CONFIG: JSON.stringify(extra) });
      children.push(gateway.child);
      return gateway;
    };

    it("credits the transfer once, through the listener, after the process died holding it", { timeout: 120_000 }, async () => {
      const first = start();
      const url = await first.url;
      const payer = chain.payer(1).address;
      const signature = await paymentFor(chain, url, 1);
      const treasury = await chain.usdcBalance(chain.treasury);
      proxy.stallAfter = "eth_sendRawTransaction";
      const pending = post(url, { "payment-signature": signature }).catch((error: unknown) => error);
      await expect.poll(() => proxy.stalled, { timeout: 60_000 }).toBe(true);
      // the transfer is on chain (anvil mines at once); the process never learns it and dies
      await expect.poll(() => chain.usdcBalance(chain.treasury), { timeout: 30_000 }).toBe(treasury + 100_000n);
      first.child.kill("SIGKILL");
      expect(await pending).toBeInstanceOf(Error);
      const db = database.db;
      expect(await db.select().from(deposits)).toHaveLength(0);
      const [claim] = await db.select().from(x402Payments);
      expect(claim).toMatchObject({ status: "settling", payer, amountBaseUnits: 100_000n });
      const accountId = (await accountOf(db, payer))!;
      expect(accountId).toBeTruthy();

      proxy.stallAfter = undefined;
      proxy.stalled = false;
      const second = start();
      const restarted = await second.url;
      const replay = await post(restarted, { "payment-signature": signature });
      expect(replay.status).toBe(402);
      await listenerPass(chain, db);
      await listenerPass(chain, db);
      const rows = await db.select().from(deposits);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ status: "credited", accountId, attribution: "wallet", valueNano: 100_000_000n });
      expect((await getBalance(db, accountId))!.balanceNano).toBe(100_000_000n);
      expect((await auditLedger(db)).ok).toBe(true);
    });
  });

  describe("two processes given the same payment", () => {
    const pools = twoProcesses();
    it("settle and credit it once; the other answers 402", { timeout: 120_000 }, async () => {
      const config = testConfig({
        ...chain.config(),
        catalog: { include_default: false },
        providers: { alpha: { name: "Alpha", protocol: "openai", base_url: `${upstream.url}/v1`, headers: {}, api_key: "alpha-key" } },
        models: [{ id: "test/chat", context_length: 100_000, max_completion_tokens: 1_000, endpoints: [{ provider: "alpha", model: "alpha-chat", pricing: { prompt: "0.000001", completion: "0.000002" } }] }],
      });
      const apps = [await buildTestApp(config, pools.primary), await buildTestApp(config, pools.second)];
      try {
        const [a, b] = await Promise.all(apps.map((app) => app.listen({ port: 0, host: "127.0.0.1" })));
        const signature = await paymentFor(chain, a!, 2);
        const treasury = await chain.usdcBalance(chain.treasury);
        const responses = await Promise.all([post(a!, { "payment-signature": signature }), post(b!, { "payment-signature": signature })]);
        expect(responses.map((r) => r.status).sort()).toEqual([200, 402]);
        expect(await chain.usdcBalance(chain.treasury)).toBe(treasury + 100_000n);
        const db = pools.primary.db;
        const accountId = (await accountOf(db, chain.payer(2).address))!;
        const rows = await db.select().from(deposits).where(eq(deposits.accountId, accountId));
        expect(rows).toHaveLength(1);
        await listenerPass(chain, db);
        expect(await db.select().from(deposits).where(eq(deposits.accountId, accountId))).toHaveLength(1);
        // 10 × $1/M + 5 × $2/M = $0.00002, + 5% = $0.000021
        await expect.poll(() => getBalance(db, accountId).then((b) => b!.balanceNano)).toBe(100_000_000n - 21_000n);
      } finally {
        for (const app of apps) await app.close();
      }
    });
  });
});
