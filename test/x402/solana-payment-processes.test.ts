/**
 * x402 on Solana across processes, on Postgres: two gateway processes handed the same
 * PAYMENT-SIGNATURE co-sign and send it once, credit it once, and the other answers 402.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { decodePaymentRequiredHeader, encodePaymentSignatureHeader } from "@x402/core/http";
import { deposits, walletIdentities } from "../../src/db/schema/index.js";
import { createChainRuntime, withSolana } from "../../src/deposits/runtime.js";
import { getBalance } from "../../src/ledger/index.js";
import { buildTestApp, testConfig } from "../support/app.js";
import { startFakeOpenAI, type FakeUpstream } from "../support/fake-upstreams/index.js";
import { twoProcesses } from "../support/two-processes.js";
import { startX402SolanaChain, type X402SolanaChain } from "../support/x402-solana-world.js";

const chatBody = JSON.stringify({ model: "test/chat", messages: [{ role: "user", content: "Hello" }], max_tokens: 20 });
const post = (url: string, headers: Record<string, string> = {}) =>
  fetch(`${url}/api/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: chatBody });

describe.skipIf(!process.env.TEST_DATABASE_URL)("x402 on Solana across processes", () => {
  let chain: X402SolanaChain;
  let upstream: FakeUpstream;
  beforeAll(async () => {
    chain = await startX402SolanaChain(1, -1);
    upstream = await startFakeOpenAI({ script: { text: "Paid.", usage: { prompt: 10, completion: 5 } } });
  });
  afterAll(async () => {
    await upstream?.close();
    await chain?.stop();
  });

  const pools = twoProcesses();
  it("two processes given the same payment settle and credit it once; the other answers 402", { timeout: 120_000 }, async () => {
    const config = testConfig({
      ...chain.config(),
      catalog: { include_default: false },
      providers: { alpha: { name: "Alpha", protocol: "openai", base_url: `${upstream.url}/v1`, headers: {}, api_key: "alpha-key" } },
      models: [{ id: "test/chat", context_length: 100_000, max_completion_tokens: 1_000, endpoints: [{ provider: "alpha", model: "alpha-chat", pricing: { prompt: "0.000001", completion: "0.000002" } }] }],
    });
    const runtime = () => withSolana(createChainRuntime([], () => new Date()), chain.solana, () => new Date());
    const apps = [await buildTestApp(config, pools.primary, { chains: await runtime() }), await buildTestApp(config, pools.second, { chains: await runtime() })];
    try {
      const [a, b] = await Promise.all(apps.map((app) => app.listen({ port: 0, host: "127.0.0.1" })));
      const asked = await post(a!);
      expect(asked.status).toBe(402);
      const signature = encodePaymentSignatureHeader(await (await chain.client(0)).createPaymentPayload(decodePaymentRequiredHeader(asked.headers.get("payment-required")!)));
      const treasury = chain.treasuryTokens();
      const responses = await Promise.all([post(a!, { "payment-signature": signature }), post(b!, { "payment-signature": signature })]);
      expect(responses.map((r) => r.status).sort()).toEqual([200, 402]);
      expect(chain.treasuryTokens()).toBe(treasury + 100_000n);
      const db = pools.primary.db;
      const payer = chain.payers[0]!.publicKey.toBase58();
      const [identity] = await db.select().from(walletIdentities).where(and(eq(walletIdentities.family, "solana"), eq(walletIdentities.address, payer)));
      const accountId = identity!.accountId;
      expect(await db.select().from(deposits).where(eq(deposits.accountId, accountId))).toHaveLength(1);
      // 10 × $1/M + 5 × $2/M = $0.00002, + 5% = $0.000021
      await expect.poll(() => getBalance(db, accountId).then((balance) => balance!.balanceNano)).toBe(100_000_000n - 21_000n);
    } finally {
      for (const app of apps) await app.close();
    }
  });
});
