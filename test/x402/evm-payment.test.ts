/**
 * x402 end to end on anvil: an agent holding only a funded wallet calls a model through farebox with
 * `@x402/fetch` (and the `openai` SDK over it), pays in USDC by EIP-3009, and the payment is an ordinary
 * deposit of its wallet's account, credited once however it is replayed or later seen by the listener.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import OpenAI from "openai";
import { and, eq, sql } from "drizzle-orm";
import { getAddress, type Hex } from "viem";
import { wrapFetchWithPayment, decodePaymentResponseHeader } from "@x402/fetch";
import { decodePaymentRequiredHeader, encodePaymentSignatureHeader } from "@x402/core/http";
import type { PaymentPayload, PaymentRequired } from "@x402/core/types";
import { startTestApp, type TestApp } from "../support/app.js";
import { queryRows } from "../../src/db/client.js";
import { startFakeOpenAI, type FakeUpstream } from "../support/fake-upstreams/index.js";
import { startX402Chain, x402AppConfig, type X402Chain } from "../support/x402-world.js";
import { createSIWxPayload, encodeSIWxHeader, wrapFetchWithSIWx, type CompleteSIWxInfo } from "@x402/extensions/sign-in-with-x";
import { createChainRuntime, type ChainRuntime } from "../../src/deposits/runtime.js";
import { deposits, walletIdentities, x402Payments } from "../../src/db/schema/index.js";
import { auditLedger, getBalance } from "../../src/ledger/index.js";
import { syncEvmChain } from "../../src/deposits/evm-sync.js";
import { RangeSizer } from "../../src/chains/evm/range.js";

let chain: X402Chain;
let runtime: ChainRuntime;
let upstream: FakeUpstream;
let testApp: TestApp;

const chatUrl = () => `${testApp.url}/api/v1/chat/completions`;
const body = (extra: Record<string, unknown> = {}) => JSON.stringify({ model: "local/chat", messages: [{ role: "user", content: "Hello" }], max_tokens: 100, ...extra });
const post = (headers: Record<string, string> = {}, extra: Record<string, unknown> = {}) =>
  fetch(chatUrl(), { method: "POST", headers: { "content-type": "application/json", ...headers }, body: body(extra) });

async function required(extra: Record<string, unknown> = {}): Promise<PaymentRequired> {
  const response = await post({}, extra);
  expect(response.status).toBe(402);
  return decodePaymentRequiredHeader(response.headers.get("payment-required")!);
}

/** A payment payload of wallet `index` for `paymentRequired`, its requirements changed by `tamper` before signing. */
async function signedPayment(index: number, tamper: (r: PaymentRequired["accepts"][number]) => PaymentRequired["accepts"][number] = (r) => r): Promise<PaymentPayload> {
  const paymentRequired = await required();
  return chain.client(index).createPaymentPayload({ ...paymentRequired, accepts: paymentRequired.accepts.map(tamper) });
}

async function accountOf(address: string): Promise<string | undefined> {
  const [row] = await testApp.database.db.select().from(walletIdentities).where(and(eq(walletIdentities.family, "evm"), eq(walletIdentities.address, getAddress(address))));
  return row?.accountId;
}
const depositCount = async () => (await testApp.database.db.select().from(deposits)).length;
const balanceOf = async (accountId: string) => (await getBalance(testApp.database.db, accountId))!.balanceNano;

async function listenerPass() {
  const evm = runtime.evm[0]!;
  await chain.anvil.mine(3);
  return syncEvmChain({
    db: testApp.database.db,
    client: evm.client,
    watch: evm.watch,
    confirmations: 2,
    sizer: new RangeSizer(100n),
    valuer: evm.valuer,
    now: () => new Date(),
    startBlock: 1n,
  });
}

beforeAll(async () => {
  chain = await startX402Chain();
  runtime = createChainRuntime([chain.evm], () => new Date());
  upstream = await startFakeOpenAI({ script: { text: "Paid per request.", usage: { prompt: 20, completion: 10 } } });
  // local/chat: $1 / M prompt tokens, $2 / M completion tokens
  testApp = await startTestApp("pglite", {
    config: x402AppConfig(chain, upstream.url),
    deps: { chains: runtime },
  });
});
afterAll(async () => {
  await testApp?.close();
  await chain?.stop();
  await upstream?.close();
});

describe("the 402", () => {
  it("asks a request without a key for USDC on the configured chain, for the minimum payment or the quote when larger", async () => {
    const response = await post();
    expect(response.status).toBe(402);
    const envelope = (await response.json()) as { error: { code: number; message: string; metadata: Record<string, unknown> } };
    expect(envelope.error.code).toBe(402);
    expect(envelope.error.message).toContain("$0.1");
    const paymentRequired = decodePaymentRequiredHeader(response.headers.get("payment-required")!);
    expect(paymentRequired).toMatchObject({ x402Version: 2, resource: { url: chatUrl() } });
    expect(paymentRequired.accepts).toEqual([
      { scheme: "exact", network: chain.network, asset: getAddress(chain.usdc), payTo: chain.treasury, amount: "100000", maxTimeoutSeconds: 300, extra: { name: "USD Coin", version: "2" } },
    ]);
    // 150,000 output tokens at $2 / M is $0.30 before the prompt and the 5% fee: the quote exceeds the minimum
    const large = await required({ max_tokens: 150_000 });
    const amount = BigInt(large.accepts[0]!.amount);
    expect(amount).toBeGreaterThan(315_000n);
    expect(amount).toBeLessThan(320_000n);
  });

  it("answers 400 for a malformed body or a malformed PAYMENT-SIGNATURE, 401 for a bad key, without asking for payment", async () => {
    const bad = await fetch(chatUrl(), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ model: "local/chat", messages: [] }) });
    expect(bad.status).toBe(400);
    expect(bad.headers.get("payment-required")).toBeNull();
    const garbage = await post({ "payment-signature": "not base64 at all!" });
    expect(garbage.status).toBe(400);
    const wrongShape = await post({ "payment-signature": Buffer.from(JSON.stringify({ x402Version: 2 })).toString("base64") });
    expect(wrongShape.status).toBe(400);
    const keyed = await post({ authorization: "Bearer sk-not-a-key" });
    expect(keyed.status).toBe(401);
  });
});

describe("paying with @x402/fetch", () => {
  let signatureHeader: string;

  it("serves a completion to a wallet with no account and no key, and keeps the rest as the wallet account's credit", async () => {
    const wallet = chain.payer(1);
    const sent: Headers[] = [];
    const recording: typeof fetch = (input, init) => {
      const request = new Request(input, init);
      sent.push(request.headers);
      return fetch(request);
    };
    const pay = wrapFetchWithPayment(recording, chain.client(1));
    const treasuryBefore = await chain.usdcBalance(chain.treasury);
    const response = await pay(chatUrl(), { method: "POST", headers: { "content-type": "application/json" }, body: body() });
    expect(response.status).toBe(200);
    const completion = (await response.json()) as { choices: { message: { content: string } }[]; usage: { cost: number } };
    expect(completion.choices[0]!.message.content).toBe("Paid per request.");
    // 20 × $1/M + 10 × $2/M = $0.00004, + 5% = $0.000042
    expect(completion.usage.cost).toBe(0.000042);
    const settlement = decodePaymentResponseHeader(response.headers.get("payment-response")!);
    expect(settlement).toMatchObject({ success: true, network: chain.network, payer: wallet.address });
    expect(settlement.transaction).toMatch(/^0x[0-9a-f]{64}$/);
    expect(await chain.usdcBalance(chain.treasury)).toBe(treasuryBefore + 100_000n);
    signatureHeader = sent.map((h) => h.get("payment-signature")).find(Boolean)!;
    expect(signatureHeader).toBeTruthy();

    const accountId = (await accountOf(wallet.address))!;
    expect(accountId).toBeTruthy();
    const [row] = await testApp.database.db.select().from(deposits).where(eq(deposits.txId, settlement.transaction));
    expect(row).toMatchObject({ status: "credited", accountId, attribution: "wallet", amountBaseUnits: 100_000n, valueNano: 100_000_000n });
    // the charge is written in the background
    await expect.poll(() => balanceOf(accountId)).toBe(100_000_000n - 42_000n);
  });

  it("refuses the same PAYMENT-SIGNATURE again, and the listener over the settled block credits nothing more", async () => {
    const accountId = (await accountOf(chain.payer(1).address))!;
    const before = await balanceOf(accountId);
    const count = await depositCount();
    const replay = await post({ "payment-signature": signatureHeader });
    expect(replay.status).toBe(402);
    const refused = decodePaymentRequiredHeader(replay.headers.get("payment-required")!);
    expect(refused.error).toMatch(/nonce|already/);
    const sync = await listenerPass();
    expect(sync).toBeTruthy();
    expect(await depositCount()).toBe(count);
    expect(await balanceOf(accountId)).toBe(before);
    expect((await auditLedger(testApp.database.db)).ok).toBe(true);
  });

  it("works as the openai SDK's fetch, streamed too", async () => {
    const pay = wrapFetchWithPayment(fetch, chain.client(2));
    const openai = new OpenAI({ baseURL: `${testApp.url}/api/v1`, apiKey: "x402", fetch: pay, defaultHeaders: { Authorization: null } });
    const answer = await openai.chat.completions.create({ model: "local/chat", messages: [{ role: "user", content: "Hi" }], max_tokens: 50 });
    expect(answer.choices[0]!.message.content).toBe("Paid per request.");
    const stream = await openai.chat.completions.create({ model: "local/chat", messages: [{ role: "user", content: "Hi" }], max_tokens: 50, stream: true });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? "";
    expect(text).toBe("Paid per request.");
    const accountId = (await accountOf(chain.payer(2).address))!;
    // two payments of $0.10, two requests of $0.000042
    await expect.poll(() => balanceOf(accountId)).toBe(200_000_000n - 84_000n);

    // the wallet signs in (SIWE) and finds the remainder on its account
    const wallet = chain.payer(2);
    const challenge = (await (await fetch(`${testApp.url}/api/v1/auth/challenge`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ chain: "evm", address: wallet.address, chain_id: chain.anvil.chainId }) })).json()) as { message: string };
    const verified = await fetch(`${testApp.url}/api/v1/auth/verify`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ message: challenge.message, signature: await wallet.signMessage({ message: challenge.message }) }),
    });
    const session = (await verified.json()) as { account_id: string; is_new_account: boolean; key: string };
    expect(session).toMatchObject({ account_id: accountId, is_new_account: false });
    const credits = (await (await fetch(`${testApp.url}/api/v1/credits`, { headers: { authorization: `Bearer ${session.key}` } })).json()) as { data: { total_credits: number; total_usage: number } };
    expect(credits.data).toEqual({ total_credits: 0.2, total_usage: 0.000084 });
  });
});

describe("sign-in-with-x: a wallet that paid before is served from its credit", () => {
  /** A SIGN-IN-WITH-X header of wallet `index` answering the challenge of a 402 for `extra`. */
  async function signInHeader(index: number, extra: Record<string, unknown> = {}): Promise<string> {
    const paymentRequired = await required(extra);
    const extension = paymentRequired.extensions!["sign-in-with-x"] as { info: CompleteSIWxInfo; supportedChains: { chainId: string; type: "eip191" }[] };
    expect(extension.supportedChains).toEqual([{ chainId: chain.network, type: "eip191" }]);
    const info = { ...extension.info, chainId: extension.supportedChains[0]!.chainId, type: extension.supportedChains[0]!.type };
    return encodeSIWxHeader(await createSIWxPayload(info, chain.payer(index), chatUrl()));
  }

  it("signs in instead of paying while the balance covers the quote, once per proof", async () => {
    const accountId = (await accountOf(chain.payer(1).address))!;
    const before = await balanceOf(accountId);
    const treasury = await chain.usdcBalance(chain.treasury);
    const fetchSignedIn = wrapFetchWithPayment(wrapFetchWithSIWx(fetch, chain.payer(1)), chain.client(1));
    const response = await fetchSignedIn(chatUrl(), { method: "POST", headers: { "content-type": "application/json" }, body: body() });
    expect(response.status).toBe(200);
    expect(response.headers.get("payment-response")).toBeNull();
    expect(await chain.usdcBalance(chain.treasury)).toBe(treasury);
    await expect.poll(() => balanceOf(accountId)).toBe(before - 42_000n);

    const header = await signInHeader(1);
    expect((await post({ "sign-in-with-x": header })).status).toBe(200);
    const replay = await post({ "sign-in-with-x": header });
    expect(replay.status).toBe(402);
    expect(decodePaymentRequiredHeader(replay.headers.get("payment-required")!).error).toBe("invalid_siwx_nonce");
  });

  it("asks for a payment when the balance does not cover the quote or the wallet has no account, and refuses a forged proof", async () => {
    const large = await post({ "sign-in-with-x": await signInHeader(1, { max_tokens: 150_000 }) }, { max_tokens: 150_000 });
    expect(large.status).toBe(402);
    expect(decodePaymentRequiredHeader(large.headers.get("payment-required")!).error).toBe("siwx_insufficient_balance");
    const stranger = await post({ "sign-in-with-x": await signInHeader(5) });
    expect(stranger.status).toBe(402);
    expect(decodePaymentRequiredHeader(stranger.headers.get("payment-required")!).error).toBe("siwx_unknown_wallet");
    const forged = JSON.parse(Buffer.from(await signInHeader(2), "base64").toString()) as Record<string, string>;
    forged.address = chain.payer(1).address;
    const refused = await post({ "sign-in-with-x": Buffer.from(JSON.stringify(forged)).toString("base64") });
    expect(refused.status).toBe(402);
    expect(decodePaymentRequiredHeader(refused.headers.get("payment-required")!).error).toMatch(/invalid_siwx/);
    expect((await post({ "sign-in-with-x": "%%%" })).status).toBe(400);
  });
});

describe("refusals: 402 with the reason, nothing charged, nothing credited", () => {
  const cases: [string, () => Promise<PaymentPayload>, RegExp][] = [
    ["a wrong recipient", () => signedPayment(3, (r) => ({ ...r, payTo: "0x000000000000000000000000000000000000dEaD" })), /recipient/],
    ["too small an amount", () => signedPayment(3, (r) => ({ ...r, amount: "99999" })), /value|amount/],
    ["an expired validBefore", () => signedPayment(3, (r) => ({ ...r, maxTimeoutSeconds: 1 })), /valid_before/],
    ["insufficient token balance", () => signedPayment(7), /insufficient/],
    [
      "a forged signature",
      async () => {
        const payload = await signedPayment(3);
        const inner = payload.payload as { signature: Hex };
        const flipped = `${inner.signature.slice(0, 10)}${inner.signature[10] === "a" ? "b" : "a"}${inner.signature.slice(11)}` as Hex;
        return { ...payload, payload: { ...payload.payload, signature: flipped } };
      },
      /signature/,
    ],
    [
      "an unknown network",
      async () => {
        const payload = await signedPayment(3);
        return { ...payload, accepted: { ...payload.accepted, network: "eip155:1" } };
      },
      /invalid_network/,
    ],
  ];
  for (const [name, make, reason] of cases) {
    it(name, async () => {
      const payload = await make();
      const count = await depositCount();
      const claims = (await testApp.database.db.select().from(x402Payments)).length;
      const treasury = await chain.usdcBalance(chain.treasury);
      const response = await post({ "payment-signature": encodePaymentSignatureHeader(payload) });
      expect(response.status).toBe(402);
      const refused = decodePaymentRequiredHeader(response.headers.get("payment-required")!);
      expect(refused.error).toMatch(reason);
      expect(refused.accepts).toHaveLength(1);
      const envelope = (await response.json()) as { error: { message: string } };
      expect(envelope.error.message).toContain("Nothing was charged");
      expect(await depositCount()).toBe(count);
      expect((await testApp.database.db.select().from(x402Payments)).length).toBe(claims);
      expect(await chain.usdcBalance(chain.treasury)).toBe(treasury);
    });
  }
  it("leaves no account behind for refused payers", async () => {
    expect(await accountOf(chain.payer(3).address)).toBeUndefined();
    // only the served requests were recorded (three paid, two signed in)
    const [row] = await queryRows<{ n: number }>(testApp.database.db, sql`select count(*)::int as n from generations`);
    expect(row!.n).toBe(5);
  });
});

describe("the relayer", () => {
  it("answers 503, charging nothing, while it cannot pay gas", async () => {
    const saved = await chain.anvil.publicClient.getBalance({ address: chain.relayer });
    await chain.anvil.testClient.setBalance({ address: chain.relayer, value: 0n });
    try {
      const payload = await signedPayment(4);
      const response = await post({ "payment-signature": encodePaymentSignatureHeader(payload) });
      expect(response.status).toBe(503);
      expect(((await response.json()) as { error: { message: string } }).error.message).toContain("relayer");
      expect(await accountOf(chain.payer(4).address)).toBeUndefined();
    } finally {
      await chain.anvil.testClient.setBalance({ address: chain.relayer, value: saved });
    }
  });
});
