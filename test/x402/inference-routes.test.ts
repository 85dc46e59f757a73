/**
 * x402 on every inference route, not only chat: POST /completions, /responses and /embeddings each
 * ask a request without a key for its own worst-case quote (402 + PAYMENT-REQUIRED naming that
 * route), and serve and bill a request paid with `@x402/fetch` from the payer wallet's new account.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { getAddress } from "viem";
import { wrapFetchWithPayment, decodePaymentResponseHeader } from "@x402/fetch";
import { decodePaymentRequiredHeader } from "@x402/core/http";
import { startTestApp, type TestApp } from "../support/app.js";
import { startFakeOpenAI, type FakeUpstream } from "../support/fake-upstreams/index.js";
import { startX402Chain, x402AppConfig, type X402Chain } from "../support/x402-world.js";
import { deposits, walletIdentities } from "../../src/db/schema/index.js";
import { auditLedger, getBalance } from "../../src/ledger/index.js";

let chain: X402Chain;
let upstream: FakeUpstream;
let testApp: TestApp;

/** `local/embed`: $100 / M input tokens, so a long input's quote is well above the $0.10 minimum. */
const EMBED_NANO_PER_TOKEN = 100_000n;

interface Route {
  path: string;
  /** A small request (its quote is below the minimum payment). */
  small: Record<string, unknown>;
  /** A request whose worst case is between `low` and `high` USDC base units. */
  large: { body: Record<string, unknown>; low: bigint; high: bigint };
  /** Nano-USD the small request costs when served (the fake upstream reports 20 prompt + 10 completion tokens). */
  costNano: bigint;
  /** The served answer's own check. */
  served(body: Record<string, unknown>): void;
  payer: number;
}

// chat-based routes: 150,000 output tokens at $2 / M is $0.30, + the prompt, + 5%: between 0.315 and 0.32 USDC
const routes: Route[] = [
  {
    path: "/completions",
    small: { model: "local/chat", prompt: "Hello", max_tokens: 100 },
    large: { body: { model: "local/chat", prompt: "Hello", max_tokens: 150_000 }, low: 315_000n, high: 320_000n },
    costNano: 42_000n,
    served: (body) => expect((body.choices as { text: string }[])[0]!.text).toBe("Paid per request."),
    payer: 3,
  },
  {
    path: "/responses",
    small: { model: "local/chat", input: "Hello", max_output_tokens: 100 },
    large: { body: { model: "local/chat", input: "Hello", max_output_tokens: 150_000 }, low: 315_000n, high: 320_000n },
    costNano: 42_000n,
    served: (body) => expect(body.output_text ?? JSON.stringify(body.output)).toContain("Paid per request."),
    payer: 4,
  },
  {
    path: "/embeddings",
    small: { model: "local/embed", input: "Hello" },
    // 40,000 chars ≈ 10,000 tokens, held with headroom (× 1.5 + 32) at $100 / M, + 5%: about 1.58 USDC
    large: { body: { model: "local/embed", input: "a".repeat(40_000) }, low: 1_050_000n, high: 1_600_000n },
    // the fake reports its script's 20 prompt tokens: at $100 / M, + 5%
    costNano: 20n * EMBED_NANO_PER_TOKEN + (20n * EMBED_NANO_PER_TOKEN * 5n) / 100n,
    served: (body) => expect((body.data as { embedding: unknown }[])[0]!.embedding).toBeTruthy(),
    payer: 5,
  },
];

const urlOf = (route: Route) => `${testApp.url}/api/v1${route.path}`;
const post = (route: Route, body: Record<string, unknown>) => fetch(urlOf(route), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

beforeAll(async () => {
  chain = await startX402Chain();
  upstream = await startFakeOpenAI({ script: { text: "Paid per request.", usage: { prompt: 20, completion: 10 } } });
  const config = x402AppConfig(chain, upstream.url);
  config.models = [
    ...(config.models ?? []),
    {
      id: "local/embed",
      kind: "embeddings",
      context_length: 1_000_000,
      endpoints: [{ provider: "local", model: "embed-1", pricing: { prompt: "0.0001", completion: "0" } }],
    },
  ];
  testApp = await startTestApp("pglite", { config });
});
afterAll(async () => {
  await testApp?.close();
  await chain?.stop();
  await upstream?.close();
});

describe.each(routes)("x402 on POST $path", (route) => {
  it("asks a request without a key for its own worst-case quote, or the minimum payment", async () => {
    const small = await post(route, route.small);
    expect(small.status).toBe(402);
    const envelope = (await small.json()) as { error: { code: number; message: string } };
    expect(envelope.error.code).toBe(402);
    expect(envelope.error.message).toContain("$0.1");
    const required = decodePaymentRequiredHeader(small.headers.get("payment-required")!);
    expect(required).toMatchObject({ x402Version: 2, resource: { url: urlOf(route) } });
    expect(required.accepts).toEqual([
      { scheme: "exact", network: chain.network, asset: getAddress(chain.usdc), payTo: chain.treasury, amount: "100000", maxTimeoutSeconds: 300, extra: { name: "USD Coin", version: "2" } },
    ]);

    const large = await post(route, route.large.body);
    expect(large.status).toBe(402);
    const amount = BigInt(decodePaymentRequiredHeader(large.headers.get("payment-required")!).accepts[0]!.amount);
    expect(amount).toBeGreaterThanOrEqual(route.large.low);
    expect(amount).toBeLessThanOrEqual(route.large.high);
  });

  it("answers 400 for a malformed body without asking for payment", async () => {
    const bad = await post(route, { model: "local/chat" });
    expect(bad.status).toBe(400);
    expect(bad.headers.get("payment-required")).toBeNull();
  });

  it("serves a request paid with @x402/fetch and bills it to the payer wallet's account", async () => {
    const wallet = chain.payer(route.payer);
    const pay = wrapFetchWithPayment(fetch, chain.client(route.payer));
    const response = await pay(urlOf(route), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(route.small) });
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    route.served(body);
    expect((body.usage as { cost: number }).cost).toBe(Number(route.costNano) / 1e9);
    const settlement = decodePaymentResponseHeader(response.headers.get("payment-response")!);
    expect(settlement).toMatchObject({ success: true, network: chain.network, payer: wallet.address });

    const [identity] = await testApp.database.db
      .select()
      .from(walletIdentities)
      .where(and(eq(walletIdentities.family, "evm"), eq(walletIdentities.address, getAddress(wallet.address))));
    const accountId = identity!.accountId;
    const [deposit] = await testApp.database.db.select().from(deposits).where(eq(deposits.txId, settlement.transaction));
    expect(deposit).toMatchObject({ status: "credited", accountId, amountBaseUnits: 100_000n, valueNano: 100_000_000n });
    // the charge is written in the background
    await expect.poll(async () => (await getBalance(testApp.database.db, accountId))!.balanceNano).toBe(100_000_000n - route.costNano);
    expect((await auditLedger(testApp.database.db)).ok).toBe(true);
  });
});
