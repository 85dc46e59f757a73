import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getAddress, type Address } from "viem";
import { generatePrivateKey, privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import { startAnvil, artifact, type Anvil } from "../support/anvil.js";
import { startTestApp, testConfig, TEST_ADMIN_TOKEN, type TestApp } from "../support/app.js";
import { createChainRuntime, type ChainRuntime } from "../../src/deposits/runtime.js";
import { syncEvmChain } from "../../src/deposits/evm-sync.js";
import { RangeSizer } from "../../src/chains/evm/range.js";
import { accounts, depositIntents, walletIdentities } from "../../src/db/schema/index.js";
import type { EvmChainConfig } from "../../src/config/chains-schema.js";
import OpenAI from "openai";
import { startFakeOpenAI, type FakeUpstream } from "../support/fake-upstreams/index.js";

const usdcAbi = artifact("MockUSDC").abi;
const auth = {
  domain: "pay.farebox.test",
  uri: "https://pay.farebox.test/login",
  statement: "Sign in to farebox.",
  challenge_ttl_s: 300,
  session_ttl_s: 3600,
  intent_ttl_s: 3600,
};
const treasury = getAddress("0x0000000000000000000000000000000000c0ffee");

let anvil: Anvil;
let testApp: TestApp;
let runtime: ChainRuntime;
let usdc: Address;
let upstream: FakeUpstream;

async function post(path: string, body: unknown, key?: string) {
  const response = await fetch(`${testApp.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as any };
}
async function get(path: string, key?: string) {
  const response = await fetch(`${testApp.url}${path}`, { headers: key ? { authorization: `Bearer ${key}` } : {} });
  return { status: response.status, body: (await response.json()) as any };
}
async function signIn(account: PrivateKeyAccount, key?: string) {
  const challenge = await post("/api/v1/auth/challenge", { chain: "evm", address: account.address, chain_id: anvil.chainId });
  expect(challenge.status).toBe(200);
  const signature = await account.signMessage({ message: challenge.body.message });
  return post("/api/v1/auth/verify", { message: challenge.body.message, signature }, key);
}
async function sync() {
  const evm = runtime.evm[0]!;
  await syncEvmChain({
    db: testApp.database.db,
    client: evm.client,
    watch: evm.watch,
    confirmations: evm.config.confirmations,
    sizer: new RangeSizer(100n),
    valuer: evm.valuer,
    now: () => new Date(),
    startBlock: 1n,
  });
}
async function count(table: typeof accounts | typeof walletIdentities | typeof depositIntents) {
  return (await testApp.database.db.select().from(table)).length;
}

beforeAll(async () => {
  anvil = await startAnvil();
  usdc = await anvil.deploy("MockUSDC");
  const evm: EvmChainConfig = {
    chain_id: anvil.chainId,
    name: "anvil",
    rpc_url: anvil.url,
    treasury,
    treasury_receiver: false,
    internal_eth: "auto",
    confirmations: 3,
    poll_interval_ms: 60_000,
    max_block_range: 100,
    assets: [{ symbol: "USDC", address: usdc, native: false, decimals: 6, price_max_age_s: 3600 }],
  };
  runtime = createChainRuntime([evm], () => new Date());
  upstream = await startFakeOpenAI({ script: { text: "Paid for on-chain.", usage: { prompt: 20, completion: 10 } } });
  const { server } = testConfig();
  testApp = await startTestApp("pglite", {
    config: {
      // this file signs in more often than one client address may in a minute
      server: { ...server, rate_limits: { ...server.rate_limits, sign_in: { max: 1_000, window_ms: 60_000 } } },
      chains: { evm: [evm], solana: null },
      auth,
      catalog: { include_default: false },
      providers: { local: { protocol: "openai", base_url: `${upstream.url}/v1`, api_key: "upstream-key", headers: {} } },
      models: [
        {
          id: "local/chat",
          context_length: 8_000,
          max_completion_tokens: 100,
          // $1 / M prompt tokens, $2 / M completion tokens.
          endpoints: [{ provider: "local", model: "chat-1", pricing: { prompt: "0.000001", completion: "0.000002" } }],
        },
      ],
    },
    deps: { chains: runtime },
  });
});
afterAll(async () => {
  await testApp?.close();
  await anvil?.stop();
  await upstream?.close();
});

describe("wallet onboarding end to end", () => {
  it("signs in with a wallet, creates an inference key, pays USDC on-chain and sees the credit after confirmations", async () => {
    const payer = anvil.wallet(1);
    const account = payer.account as PrivateKeyAccount;
    const first = await signIn(account);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ is_new_account: true, wallet: { chain: "evm", address: account.address } });
    expect(first.body.key).toMatch(/^sk-/);
    expect(new Date(first.body.expires_at).getTime()).toBeGreaterThan(Date.now());
    const again = await signIn(account);
    expect(again.body).toMatchObject({ is_new_account: false, account_id: first.body.account_id });
    const management = first.body.key as string;

    const inference = await post("/api/v1/keys", { name: "laptop" }, management);
    expect(inference.status).toBe(201);

    const addresses = await get("/api/v1/credits/deposit-addresses");
    expect(addresses.body.data).toEqual([
      expect.objectContaining({
        chain: `eip155:${anvil.chainId}`,
        chain_id: anvil.chainId,
        address: treasury,
        confirmations: 3,
        assets: [expect.objectContaining({ symbol: "USDC", token_address: getAddress(usdc), decimals: 6 })],
      }),
    ]);

    await anvil.publicClient.waitForTransactionReceipt({
      hash: await anvil.wallet(0).writeContract({ address: usdc, abi: usdcAbi, functionName: "mint", args: [account.address, 100_000_000n] }),
      pollingInterval: 20,
    });
    const hash = await payer.writeContract({ address: usdc, abi: usdcAbi, functionName: "transfer", args: [treasury, 42_500_000n] });
    await anvil.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 20 });
    await sync();
    const pending = await get("/api/v1/credits/deposits", management);
    expect(pending.body.data).toEqual([expect.objectContaining({ tx: hash, status: "seen", status_detail: "confirming 1/3", amount: "42.5", usd_credited: null })]);
    expect((await get("/api/v1/credits", management)).body).toEqual({ data: { total_credits: 0, total_usage: 0 } });

    await anvil.mine(2);
    await sync();
    const credits = await get("/api/v1/credits", management);
    expect(credits.body).toEqual({ data: { total_credits: 42.5, total_usage: 0 } });
    const history = await get("/api/v1/credits/deposits", management);
    expect(history.body.data).toEqual([
      expect.objectContaining({ tx: hash, status: "credited", usd_credited: "42.5", attribution: "wallet", asset: "USDC", rate: null, confirmations: 3, confirmations_required: 3 }),
    ]);
    // Replaying the listener over the same blocks credits nothing more.
    await sync();
    expect((await get("/api/v1/credits", management)).body.data.total_credits).toBe(42.5);

    // The credit pays for a chat completion made with the inference key through the OpenAI SDK.
    const client = new OpenAI({ baseURL: `${testApp.url}/api/v1`, apiKey: inference.body.key, maxRetries: 0 });
    const completion = await client.chat.completions.create({ model: "local/chat", messages: [{ role: "user", content: "hello" }], max_tokens: 50 });
    expect(completion.choices[0]?.message.content).toBe("Paid for on-chain.");
    // 20 × $1/M + 10 × $2/M = 40,000 nano; 5% fee 2,000 nano → $0.000042.
    expect((completion.usage as unknown as { cost: number }).cost).toBe(0.000042);
    let spent = await get("/api/v1/credits", management);
    for (let attempt = 0; attempt < 50 && spent.body.data.total_usage === 0; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      spent = await get("/api/v1/credits", management);
    }
    expect(spent.body).toEqual({ data: { total_credits: 42.5, total_usage: 0.000042 } });
  });

  it("links a second wallet when signed in with the session key", async () => {
    const owner = privateKeyToAccount(generatePrivateKey());
    const session = await signIn(owner);
    const extra = privateKeyToAccount(generatePrivateKey());
    const linked = await signIn(extra, session.body.key);
    expect(linked.status).toBe(200);
    expect(linked.body).toMatchObject({ account_id: session.body.account_id, is_new_account: false, wallet: { linked: true } });
    const bogus = await signIn(privateKeyToAccount(generatePrivateKey()), "sk-fb-v1-not-a-real-key");
    expect(bogus.status).toBe(401);
  });

  it("unlinks a wallet with the management key, but never the account's last one", async () => {
    const owner = privateKeyToAccount(generatePrivateKey());
    const session = await signIn(owner);
    const extra = privateKeyToAccount(generatePrivateKey());
    expect((await signIn(extra, session.body.key)).status).toBe(200);
    const unlink = (address: string, key?: string) =>
      fetch(`${testApp.url}/api/v1/auth/wallets/${address}`, { method: "DELETE", headers: key ? { authorization: `Bearer ${key}` } : {} }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));
    expect((await unlink(extra.address)).status).toBe(401);
    expect(await unlink(extra.address.toLowerCase(), session.body.key)).toMatchObject({ status: 200, body: { data: { chain: "evm", address: extra.address, linked: false } } });
    expect(await unlink(extra.address, session.body.key)).toMatchObject({ status: 404, body: { error: { code: 404 } } });
    expect(await unlink(owner.address, session.body.key)).toMatchObject({ status: 409, body: { error: { code: 409 } } });
    // The unlinked wallet can now sign in on its own (a new account).
    expect((await signIn(extra)).body).toMatchObject({ is_new_account: true });
  });

  it("creates an intent with an exact, unique amount and an EIP-681 URI; the exact transfer from any sender is credited", async () => {
    const session = await signIn(privateKeyToAccount(generatePrivateKey()));
    const key = session.body.key as string;
    const one = await post("/api/v1/credits/intents", { chain: `eip155:${anvil.chainId}`, asset: "USDC", amount_usd: "10" }, key);
    const two = await post("/api/v1/credits/intents", { chain: anvil.chainId, asset: "usdc", amount_usd: 10 }, key);
    expect(one.status).toBe(201);
    expect(two.status).toBe(201);
    expect(one.body.amount_base_units).not.toBe(two.body.amount_base_units);
    expect(BigInt(one.body.amount_base_units) - 10_000_000n).toBeGreaterThan(0n);
    expect(BigInt(one.body.amount_base_units) - 10_000_000n).toBeLessThan(1000n);
    expect(one.body).toMatchObject({ address: treasury, asset: "USDC", amount_usd: "10" });
    expect(one.body.uri).toBe(`ethereum:${getAddress(usdc)}@${anvil.chainId}/transfer?address=${treasury}&uint256=${one.body.amount_base_units}`);

    // An "exchange" (unlinked wallet) sends exactly the first intent's amount.
    const exchange = anvil.wallet(2);
    await anvil.publicClient.waitForTransactionReceipt({
      hash: await anvil.wallet(0).writeContract({ address: usdc, abi: usdcAbi, functionName: "mint", args: [exchange.account.address, 100_000_000n] }),
      pollingInterval: 20,
    });
    const hash = await exchange.writeContract({ address: usdc, abi: usdcAbi, functionName: "transfer", args: [treasury, BigInt(one.body.amount_base_units)] });
    await anvil.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 20 });
    await anvil.mine(3);
    await sync();
    expect((await get("/api/v1/credits", key)).body.data.total_credits).toBe(Number(one.body.amount_base_units) / 1e6);
    expect((await get("/api/v1/credits/deposits", key)).body.data).toEqual([expect.objectContaining({ tx: hash, attribution: "intent", status: "credited" })]);
  });

  it("takes one spelling of the chain everywhere: eip155:<id> to sign in, evm for an intent when it is the only EVM chain", async () => {
    const user = privateKeyToAccount(generatePrivateKey());
    const challenge = await post("/api/v1/auth/challenge", { chain: `eip155:${anvil.chainId}`, address: user.address });
    expect(challenge.status).toBe(200);
    expect(challenge.body.message).toContain(`Chain ID: ${anvil.chainId}`);
    const signature = await user.signMessage({ message: challenge.body.message });
    const session = await post("/api/v1/auth/verify", { message: challenge.body.message, signature });
    expect(session.status).toBe(200);
    const intent = await post("/api/v1/credits/intents", { chain: "evm", asset: "USDC", amount_usd: "3" }, session.body.key);
    expect(intent.status).toBe(201);
    expect(intent.body.chain).toBe(`eip155:${anvil.chainId}`);
    const disagreeing = await post("/api/v1/auth/challenge", { chain: `eip155:${anvil.chainId}`, chain_id: anvil.chainId + 1, address: user.address });
    expect(disagreeing.status).toBe(400);
    expect(disagreeing.body.error.metadata.field).toBe("chain_id");
    const unknown = await post("/api/v1/auth/challenge", { chain: "eip155:999999", address: user.address });
    expect(unknown.status).toBe(400);
  });

  it("parks a deposit nobody can be matched to and lets the admin assign it", async () => {
    const session = await signIn(privateKeyToAccount(generatePrivateKey()));
    const stranger = anvil.wallet(3);
    await anvil.publicClient.waitForTransactionReceipt({
      hash: await anvil.wallet(0).writeContract({ address: usdc, abi: usdcAbi, functionName: "mint", args: [stranger.account.address, 100_000_000n] }),
      pollingInterval: 20,
    });
    const hash = await stranger.writeContract({ address: usdc, abi: usdcAbi, functionName: "transfer", args: [treasury, 7_000_000n] });
    await anvil.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 20 });
    await anvil.mine(3);
    await sync();
    const parked = await get("/api/v1/admin/deposits/unattributed", TEST_ADMIN_TOKEN);
    const row = parked.body.data.find((d: { tx: string }) => d.tx === hash);
    expect(row).toMatchObject({ status: "unattributed", usd_value: "7", usd_credited: null });
    expect((await get("/api/v1/admin/deposits/unattributed", session.body.key)).status).toBe(401);
    const missing = await post(`/api/v1/admin/deposits/${row.id}/assign`, { account_id: "acct_nope" }, TEST_ADMIN_TOKEN);
    expect(missing.status).toBe(404);
    const assigned = await post(`/api/v1/admin/deposits/${row.id}/assign`, { account_id: session.body.account_id }, TEST_ADMIN_TOKEN);
    expect(assigned.status).toBe(200);
    expect((await post(`/api/v1/admin/deposits/${row.id}/assign`, { account_id: session.body.account_id }, TEST_ADMIN_TOKEN)).status).toBe(404);
    expect((await get("/api/v1/credits", session.body.key)).body.data.total_credits).toBe(7);
  });

  it("lists a payment parked because its intent had expired to the intent's owner, and to nobody else", async () => {
    const owner = await signIn(privateKeyToAccount(generatePrivateKey()));
    const other = await signIn(privateKeyToAccount(generatePrivateKey()));
    const intent = await post("/api/v1/credits/intents", { chain: anvil.chainId, asset: "USDC", amount_usd: "4" }, owner.body.key);
    expect(intent.status).toBe(201);
    const exchange = anvil.wallet(4);
    await anvil.publicClient.waitForTransactionReceipt({
      hash: await anvil.wallet(0).writeContract({ address: usdc, abi: usdcAbi, functionName: "mint", args: [exchange.account.address, 100_000_000n] }),
      pollingInterval: 20,
    });
    // paid in a block stamped after the intent expired
    const lateBy = Math.ceil((Date.parse(intent.body.expires_at) - Date.now()) / 1000) + 60;
    await anvil.testClient.increaseTime({ seconds: lateBy });
    const hash = await exchange.writeContract({ address: usdc, abi: usdcAbi, functionName: "transfer", args: [treasury, BigInt(intent.body.amount_base_units)] });
    await anvil.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 20 });
    await anvil.mine(3);
    await sync();
    const listed = (await get("/api/v1/credits/deposits", owner.body.key)).body.data;
    expect(listed).toEqual([expect.objectContaining({ tx: hash, status: "unattributed", status_detail: "expired intent", intent_id: intent.body.id, usd_credited: null })]);
    expect((await get("/api/v1/credits/deposits", other.body.key)).body.data).toEqual([]);
    expect((await get("/api/v1/credits", owner.body.key)).body.data.total_credits).toBe(0);
  });
});

describe("bad input is refused with a clear 4xx and creates nothing", () => {
  it("refuses malformed addresses, wrong chain ids, replays, other signers and other domains", async () => {
    const before = { accounts: await count(accounts), wallets: await count(walletIdentities) };
    const malformed = await post("/api/v1/auth/challenge", { chain: "evm", address: "0x1234" });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.message).toMatch(/address/);
    const unknownFamily = await post("/api/v1/auth/challenge", { chain: "bitcoin", address: "bc1q" });
    expect(unknownFamily.status).toBe(400);
    const wrongChain = await post("/api/v1/auth/challenge", { chain: "evm", address: privateKeyToAccount(generatePrivateKey()).address, chain_id: 1 });
    expect(wrongChain.status).toBe(400);
    expect(wrongChain.body.error.message).toMatch(/chain_id/);

    const user = privateKeyToAccount(generatePrivateKey());
    const challenge = await post("/api/v1/auth/challenge", { chain: "evm", address: user.address });
    const otherSigner = await post("/api/v1/auth/verify", {
      message: challenge.body.message,
      signature: await privateKeyToAccount(generatePrivateKey()).signMessage({ message: challenge.body.message }),
    });
    expect(otherSigner.status).toBe(401);
    expect(otherSigner.body.error.message).toMatch(/signature/);
    const otherDomain = challenge.body.message.replace(auth.domain, "evil.example");
    const forged = await post("/api/v1/auth/verify", { message: otherDomain, signature: await user.signMessage({ message: otherDomain }) });
    expect(forged.status).toBe(401);
    const garbage = await post("/api/v1/auth/verify", { message: "hello", signature: "0x00" });
    expect(garbage.status).toBe(401);
    const missing = await post("/api/v1/auth/verify", { message: "" });
    expect(missing.status).toBe(400);
    expect(await count(accounts)).toBe(before.accounts);
    expect(await count(walletIdentities)).toBe(before.wallets);

    const signature = await user.signMessage({ message: challenge.body.message });
    expect((await post("/api/v1/auth/verify", { message: challenge.body.message, signature })).status).toBe(200);
    const replay = await post("/api/v1/auth/verify", { message: challenge.body.message, signature });
    expect(replay.status).toBe(401);
    expect(replay.body.error.message).toMatch(/nonce/);
  });

  it("refuses intents for an unknown chain or asset or a non-positive amount", async () => {
    const session = await signIn(privateKeyToAccount(generatePrivateKey()));
    const key = session.body.key as string;
    const before = await count(depositIntents);
    const cases = [
      { chain: "eip155:999", asset: "USDC", amount_usd: "5" },
      { chain: `eip155:${anvil.chainId}`, asset: "DOGE", amount_usd: "5" },
      { chain: `eip155:${anvil.chainId}`, asset: "USDC", amount_usd: "0" },
      { chain: `eip155:${anvil.chainId}`, asset: "USDC", amount_usd: -3 },
      { chain: `eip155:${anvil.chainId}`, asset: "USDC", amount_usd: "1e3" },
      { chain: `eip155:${anvil.chainId}`, asset: "USDC" },
    ];
    for (const body of cases) {
      const response = await post("/api/v1/credits/intents", body, key);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.error.code).toBe(400);
      expect(response.body.error.message.length).toBeGreaterThan(10);
    }
    expect((await post("/api/v1/credits/intents", cases[0], undefined)).status).toBe(401);
    expect(await count(depositIntents)).toBe(before);
  });
});
