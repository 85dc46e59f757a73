/**
 * x402 on Solana end to end, on the LiteSVM RPC harness: an agent holding only a Solana wallet with
 * USDC (and no SOL) calls a model through farebox with `@x402/fetch` and the `@x402/svm` client
 * signer; farebox co-signs as the operator's fee payer, settles, credits the transfer as an ordinary
 * deposit of the wallet's account under the listener's key (a later listener pass credits nothing
 * more), and refuses a replay, a wrong recipient, too small an amount and an unfunded payer with 402.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { Keypair, type PublicKey } from "@solana/web3.js";
import { wrapFetchWithPayment, decodePaymentResponseHeader } from "@x402/fetch";
import { decodePaymentRequiredHeader, encodePaymentSignatureHeader } from "@x402/core/http";
import type { PaymentRequired } from "@x402/core/types";
import { createKeyPairSignerFromBytes } from "@solana/kit";
import { createSIWxPayload, encodeSIWxHeader, type CompleteSIWxInfo } from "@x402/extensions/sign-in-with-x";
import { startTestApp, type TestApp } from "../support/app.js";
import { startFakeOpenAI, type FakeUpstream } from "../support/fake-upstreams/index.js";
import { USDC_MINT } from "../support/solana-rpc/fixtures.js";
import type { SolanaRpcServer } from "../support/solana-rpc/server.js";
import { startX402SolanaChain, type X402SolanaChain } from "../support/x402-solana-world.js";
import { X402_SOLANA_MAINNET } from "../../src/config/x402-schema.js";
import { createChainRuntime, withSolana, type ChainRuntime } from "../../src/deposits/runtime.js";
import { deposits, walletIdentities } from "../../src/db/schema/index.js";
import { auditLedger, getBalance } from "../../src/ledger/index.js";
import { createSolanaConnection } from "../../src/chains/solana/connection.js";
import { createSolanaListenerStore } from "../../src/deposits/solana-sync.js";
import { runSolanaPass } from "../../src/workers/solana-listener.js";

let chain: X402SolanaChain;
let rpc: SolanaRpcServer;
let runtime: ChainRuntime;
let upstream: FakeUpstream;
let testApp: TestApp;
let treasury: PublicKey;
let operator: Keypair;
let payers: Keypair[];

const chatUrl = () => `${testApp.url}/api/v1/chat/completions`;
const body = () => JSON.stringify({ model: "local/chat", messages: [{ role: "user", content: "Hello" }], max_tokens: 100 });
const post = (headers: Record<string, string> = {}) => fetch(chatUrl(), { method: "POST", headers: { "content-type": "application/json", ...headers }, body: body() });
const treasuryTokens = () => chain.treasuryTokens();
const depositCount = async () => (await testApp.database.db.select().from(deposits)).length;

const clientOf = (index: number) => chain.client(index);

async function required(): Promise<PaymentRequired> {
  const response = await post();
  expect(response.status).toBe(402);
  return decodePaymentRequiredHeader(response.headers.get("payment-required")!);
}

/** A PAYMENT-SIGNATURE of wallet `index` for the 402's offer with `signed` changes, presented as the offer itself. */
async function tamperedSignature(index: number, signed: Partial<PaymentRequired["accepts"][number]>): Promise<string> {
  const paymentRequired = await required();
  const offer = paymentRequired.accepts[0]!;
  const payload = await (await clientOf(index)).createPaymentPayload({ ...paymentRequired, accepts: [{ ...offer, ...signed }] });
  return encodePaymentSignatureHeader({ ...payload, accepted: offer });
}

async function accountOf(address: string): Promise<string | undefined> {
  const [row] = await testApp.database.db.select().from(walletIdentities).where(and(eq(walletIdentities.family, "solana"), eq(walletIdentities.address, address)));
  return row?.accountId;
}
const balanceOf = async (accountId: string) => (await getBalance(testApp.database.db, accountId))!.balanceNano;

beforeAll(async () => {
  // wallets 0 and 1 hold $1,000 of USDC, wallet 2 only $0.05, none any SOL: the operator's fee payer pays the fees
  chain = await startX402SolanaChain();
  ({ rpc, treasury, operator, payers } = chain);
  runtime = await withSolana(createChainRuntime([], () => new Date()), chain.solana, () => new Date());
  upstream = await startFakeOpenAI({ script: { text: "Paid on Solana.", usage: { prompt: 20, completion: 10 } } });
  testApp = await startTestApp("pglite", {
    config: {
      ...chain.config(),
      catalog: { include_default: false },
      providers: { local: { protocol: "openai", base_url: `${upstream.url}/v1`, api_key: "upstream-key", headers: {} } },
      models: [{ id: "local/chat", context_length: 1_000_000, max_completion_tokens: 200_000, endpoints: [{ provider: "local", model: "chat-1", pricing: { prompt: "0.000001", completion: "0.000002" } }] }],
    },
    deps: { chains: runtime },
  });
});
afterAll(async () => {
  await testApp?.close();
  await upstream?.close();
  await chain?.stop();
});

describe("x402 on Solana", () => {
  it("asks for USDC on Solana mainnet, paid to the treasury wallet, with the operator as fee payer", async () => {
    const paymentRequired = await required();
    expect(paymentRequired.accepts).toEqual([
      { scheme: "exact", network: X402_SOLANA_MAINNET, asset: USDC_MINT.toBase58(), payTo: treasury.toBase58(), amount: "100000", maxTimeoutSeconds: 300, extra: { feePayer: operator.publicKey.toBase58() } },
    ]);
  });

  let signatureHeader: string;

  it("serves a wallet with no account, no key and no SOL through @x402/fetch, and credits the payment once", async () => {
    const wallet = payers[0]!.publicKey.toBase58();
    const sent: Headers[] = [];
    const recording: typeof fetch = (input, init) => {
      const request = new Request(input, init);
      sent.push(request.headers);
      return fetch(request);
    };
    const pay = wrapFetchWithPayment(recording, await clientOf(0));
    const before = treasuryTokens();
    const response = await pay(chatUrl(), { method: "POST", headers: { "content-type": "application/json" }, body: body() });
    expect(response.status).toBe(200);
    const completion = (await response.json()) as { choices: { message: { content: string } }[]; usage: { cost: number } };
    expect(completion.choices[0]!.message.content).toBe("Paid on Solana.");
    expect(completion.usage.cost).toBe(0.000042);
    const settlement = decodePaymentResponseHeader(response.headers.get("payment-response")!);
    expect(settlement).toMatchObject({ success: true, network: X402_SOLANA_MAINNET, payer: wallet });
    expect(treasuryTokens()).toBe(before + 100_000n);
    expect(rpc.chain.lamports(wallet)).toBe(0n);
    signatureHeader = sent.map((h) => h.get("payment-signature")).find(Boolean)!;

    const accountId = (await accountOf(wallet))!;
    expect(accountId).toBeTruthy();
    const [row] = await testApp.database.db.select().from(deposits).where(eq(deposits.txId, settlement.transaction));
    expect(row).toMatchObject({ chain: "solana:mainnet", status: "credited", accountId, attribution: "wallet", amountBaseUnits: 100_000n, valueNano: 100_000_000n });
    await expect.poll(() => balanceOf(accountId)).toBe(100_000_000n - 42_000n);
  });

  it("refuses the same PAYMENT-SIGNATURE again, and a listener pass credits nothing more", async () => {
    const accountId = (await accountOf(payers[0]!.publicKey.toBase58()))!;
    const before = { balance: await balanceOf(accountId), deposits: await depositCount(), treasury: treasuryTokens() };
    const replay = await post({ "payment-signature": signatureHeader });
    expect(replay.status).toBe(402);
    expect(decodePaymentRequiredHeader(replay.headers.get("payment-required")!).error).toMatch(/nonce|already|duplicate/);

    rpc.chain.finalizeAll();
    const solana = runtime.solana!;
    const connection = createSolanaConnection({ rpcUrl: rpc.url, commitment: "finalized" });
    const store = createSolanaListenerStore({ db: testApp.database.db, chain: solana.description.chain, scan: solana.scan, valuer: solana.valuer, now: () => new Date() });
    const pass = await runSolanaPass(connection, solana.scan, store);
    // the listener saw the settled transfer (and the treasury's set-up), and credited nothing of it
    expect(pass).toMatchObject({ complete: true });
    expect(pass.observations).toBeGreaterThanOrEqual(1);
    expect({ balance: await balanceOf(accountId), deposits: await depositCount(), treasury: treasuryTokens() }).toEqual(before);
    expect((await auditLedger(testApp.database.db)).ok).toBe(true);
  });

  it("refuses a wrong recipient, too small an amount and an unfunded payer with 402 and the reason, charging and crediting nothing", async () => {
    const before = { deposits: await depositCount(), treasury: treasuryTokens() };
    const cases: [string, Promise<string>][] = [
      ["invalid_exact_svm_payload_recipient_mismatch", tamperedSignature(1, { payTo: Keypair.generate().publicKey.toBase58() })],
      ["invalid_exact_svm_payload_amount_mismatch", tamperedSignature(1, { amount: "99999" })],
      ["invalid_exact_svm_transaction_simulation_failed", tamperedSignature(2, {})],
    ];
    // wallet 1's genuine payment with its signature made by another key
    const forged = (async () => {
      const header = await tamperedSignature(1, {});
      const payload = JSON.parse(Buffer.from(header, "base64").toString()) as { payload: { transaction: string } };
      const bytes = Buffer.from(payload.payload.transaction, "base64");
      for (let offset = 1; offset < 1 + 64 * bytes[0]!; offset += 64) {
        if (bytes.subarray(offset, offset + 64).some((b) => b !== 0)) bytes.set(Keypair.generate().secretKey.subarray(0, 64), offset);
      }
      payload.payload.transaction = bytes.toString("base64");
      return Buffer.from(JSON.stringify(payload)).toString("base64");
    })();
    cases.push(["invalid_exact_svm_payload_signature_invalid", forged]);
    for (const [reason, header] of cases) {
      const response = await post({ "payment-signature": await header });
      expect(response.status).toBe(402);
      expect(decodePaymentRequiredHeader(response.headers.get("payment-required")!).error).toBe(reason);
    }
    // not a transaction at all: a malformed payload
    const offer = (await required()).accepts[0]!;
    const garbage = await post({ "payment-signature": encodePaymentSignatureHeader({ x402Version: 2, accepted: offer, payload: { transaction: "bm90IGEgdHJhbnNhY3Rpb24=" } } as never) });
    expect(garbage.status).toBe(400);
    expect({ deposits: await depositCount(), treasury: treasuryTokens() }).toEqual(before);
    expect(await accountOf(payers[2]!.publicKey.toBase58())).toBeUndefined();
  });

  it("signs a wallet that paid before in with sign-in-with-x (Ed25519) instead of paying, once per proof", async () => {
    /** A SIGN-IN-WITH-X header of wallet `index` answering a fresh 402's challenge. */
    const signInHeader = async (index: number) => {
      const extension = (await required()).extensions!["sign-in-with-x"] as { info: CompleteSIWxInfo; supportedChains: { chainId: string; type: "ed25519" }[] };
      expect(extension.supportedChains).toEqual([{ chainId: X402_SOLANA_MAINNET, type: "ed25519" }]);
      const info = { ...extension.info, chainId: X402_SOLANA_MAINNET, type: "ed25519" as const };
      // @solana/kit 8's KeyPairSigner is the extension's "SolanaKitSigner" at run time; its declared type lags kit's message types
      const signer = (await createKeyPairSignerFromBytes(payers[index]!.secretKey)) as unknown as Parameters<typeof createSIWxPayload>[1];
      return encodeSIWxHeader(await createSIWxPayload(info, signer, chatUrl()));
    };
    const accountId = (await accountOf(payers[0]!.publicKey.toBase58()))!;
    const before = { balance: await balanceOf(accountId), deposits: await depositCount(), treasury: treasuryTokens() };
    const header = await signInHeader(0);
    const served = await post({ "sign-in-with-x": header });
    expect(served.status).toBe(200);
    expect(served.headers.get("payment-response")).toBeNull();
    await expect.poll(() => balanceOf(accountId)).toBe(before.balance - 42_000n);
    expect({ deposits: await depositCount(), treasury: treasuryTokens() }).toEqual({ deposits: before.deposits, treasury: before.treasury });

    const replay = await post({ "sign-in-with-x": header });
    expect(replay.status).toBe(402);
    expect(decodePaymentRequiredHeader(replay.headers.get("payment-required")!).error).toBe("invalid_siwx_nonce");
    const stranger = await post({ "sign-in-with-x": await signInHeader(1) });
    expect(stranger.status).toBe(402);
    expect(decodePaymentRequiredHeader(stranger.headers.get("payment-required")!).error).toBe("siwx_unknown_wallet");
    // wallet 1's proof claiming to be wallet 0
    const forged = JSON.parse(Buffer.from(await signInHeader(1), "base64").toString()) as Record<string, string>;
    forged.address = payers[0]!.publicKey.toBase58();
    const refused = await post({ "sign-in-with-x": Buffer.from(JSON.stringify(forged)).toString("base64") });
    expect(refused.status).toBe(402);
    expect(decodePaymentRequiredHeader(refused.headers.get("payment-required")!).error).toMatch(/invalid_siwx/);
  });

  it("loses nothing when the settled payment cannot be read back: the listener credits it to the wallet's account, once", async () => {
    const wallet = payers[1]!.publicKey.toBase58();
    const before = { deposits: await depositCount(), treasury: treasuryTokens() };
    // the node serves no transaction for a while: settlement goes through, reading the deposit back does not
    rpc.inject({ method: "getTransaction", kind: "rpc-error", message: "Node is behind", times: 50 });
    let response: Response;
    try {
      response = await wrapFetchWithPayment(fetch, await clientOf(1))(chatUrl(), { method: "POST", headers: { "content-type": "application/json" }, body: body() });
    } finally {
      rpc.clearFaults();
    }
    expect(response.status).toBe(502);
    expect(((await response.json()) as { error: { message: string } }).error.message).toContain("will be credited");
    expect(treasuryTokens()).toBe(before.treasury + 100_000n);
    expect(await depositCount()).toBe(before.deposits);
    const accountId = (await accountOf(wallet))!;
    expect(accountId).toBeTruthy();

    rpc.chain.finalizeAll();
    const solana = runtime.solana!;
    const connection = createSolanaConnection({ rpcUrl: rpc.url, commitment: "finalized" });
    const store = createSolanaListenerStore({ db: testApp.database.db, chain: solana.description.chain, scan: solana.scan, valuer: solana.valuer, now: () => new Date() });
    await runSolanaPass(connection, solana.scan, store);
    await runSolanaPass(connection, solana.scan, store);
    expect(await depositCount()).toBe(before.deposits + 1);
    expect(await balanceOf(accountId)).toBe(100_000_000n);
    expect((await auditLedger(testApp.database.db)).ok).toBe(true);
  });

  it("answers 503 while the operator's fee payer cannot pay fees, taking no payment", async () => {
    const address = operator.publicKey.toBase58();
    const account = rpc.chain.svm.getAccount(address as Parameters<typeof rpc.chain.svm.getAccount>[0]);
    const lamports = rpc.chain.lamports(address);
    rpc.chain.svm.setAccount({ ...(account as Extract<typeof account, { exists: true }>), lamports: 10_000n as never });
    try {
      const before = treasuryTokens();
      const header = await tamperedSignature(1, {});
      const response = await post({ "payment-signature": header });
      expect(response.status).toBe(503);
      const envelope = (await response.json()) as { error: { message: string } };
      expect(envelope.error.message).toContain(address);
      expect(treasuryTokens()).toBe(before);
    } finally {
      rpc.chain.svm.setAccount({ ...(account as Extract<typeof account, { exists: true }>), lamports: lamports as never });
    }
  });
});
