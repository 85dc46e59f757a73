import { sign } from "node:crypto";
import { Keypair, PublicKey } from "@solana/web3.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSolanaConnection } from "../../src/chains/solana/connection.js";
import type { SolanaChainConfig } from "../../src/config/chains-schema.js";
import { accounts, walletIdentities } from "../../src/db/schema/index.js";
import { createChainRuntime, withSolana, type ChainRuntime } from "../../src/deposits/runtime.js";
import { createSolanaListenerStore } from "../../src/deposits/solana-sync.js";
import { runSolanaPass } from "../../src/workers/solana-listener.js";
import { startTestApp, type TestApp } from "../support/app.js";
import { fundedWallet, installMint, mintTo, transferToken, USDC_MINT } from "../support/solana-rpc/fixtures.js";
import { startSolanaRpc, type SolanaRpcServer } from "../support/solana-rpc/server.js";

const auth = {
  domain: "pay.farebox.test",
  uri: "https://pay.farebox.test/login",
  statement: "Sign in to farebox.",
  challenge_ttl_s: 300,
  session_ttl_s: 3600,
  intent_ttl_s: 3600,
};
const treasury = Keypair.generate().publicKey;

let rpc: SolanaRpcServer;
let testApp: TestApp;
let runtime: ChainRuntime;

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
function walletSign(keypair: Keypair, message: string): string {
  const seed = Buffer.from(keypair.secretKey.subarray(0, 32));
  const der = Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), seed]);
  return sign(null, Buffer.from(message, "utf8"), { key: der, format: "der", type: "pkcs8" }).toString("base64");
}
async function challenge(wallet: Keypair) {
  const response = await post("/api/v1/auth/challenge", { chain: "solana", address: wallet.publicKey.toBase58() });
  expect(response.status).toBe(200);
  return response.body.message as string;
}
const count = async (table: typeof accounts | typeof walletIdentities) => (await testApp.database.db.select().from(table)).length;

beforeAll(async () => {
  rpc = await startSolanaRpc();
  const solana: SolanaChainConfig = {
    rpc_url: rpc.url,
    treasury: treasury.toBase58(),
    commitment: "finalized",
    poll_interval_ms: 60_000,
    assets: [{ symbol: "USDC", native: false, mint: USDC_MINT.toBase58(), decimals: 6 }],
  };
  runtime = await withSolana(createChainRuntime([], () => new Date()), solana, () => new Date());
  testApp = await startTestApp("pglite", { config: { chains: { evm: [], solana }, auth }, deps: { chains: runtime } });
});
afterAll(async () => {
  await testApp?.close();
  await rpc?.close();
});

describe("Solana wallets over HTTP", () => {
  it("signs in with SIWS; a wrong key, a tampered message or a replayed nonce is a 4xx and creates nothing", async () => {
    const wallet = Keypair.generate();
    const before = { accounts: await count(accounts), wallets: await count(walletIdentities) };
    const message = await challenge(wallet);
    expect(message).toContain(`pay.farebox.test wants you to sign in with your Solana account:\n${wallet.publicKey.toBase58()}`);

    const wrong = await post("/api/v1/auth/verify", { message, signature: walletSign(Keypair.generate(), message) });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe(401);
    const tampered = message.replace("Sign in to farebox.", "Sign in to evil.");
    expect((await post("/api/v1/auth/verify", { message: tampered, signature: walletSign(wallet, tampered) })).status).toBe(401);
    expect({ accounts: await count(accounts), wallets: await count(walletIdentities) }).toEqual(before);

    const signature = walletSign(wallet, message);
    const ok = await post("/api/v1/auth/verify", { message, signature });
    expect(ok.status).toBe(200);
    expect(ok.body.key).toMatch(/^sk-/);
    const after = { accounts: await count(accounts), wallets: await count(walletIdentities) };
    const replay = await post("/api/v1/auth/verify", { message, signature });
    expect(replay.status).toBe(401);
    expect({ accounts: await count(accounts), wallets: await count(walletIdentities) }).toEqual(after);

    const badAddress = await post("/api/v1/auth/challenge", { chain: "solana", address: "not-base58-0OIl" });
    expect(badAddress.status).toBe(400);
  });

  it("lists the Solana treasury, creates a Solana Pay intent, and credits the payment that carries its reference", async () => {
    const wallet = Keypair.generate();
    const message = await challenge(wallet);
    const session = await post("/api/v1/auth/verify", { message, signature: walletSign(wallet, message) });
    const key = session.body.key as string;

    const addresses = await get("/api/v1/credits/deposit-addresses");
    expect(JSON.stringify(addresses.body.data)).toContain(treasury.toBase58());

    const intent = await post("/api/v1/credits/intents", { chain: "solana", asset: "USDC", amount_usd: "10" }, key);
    expect(intent.status).toBe(201);
    const uri = new URL(intent.body.uri as string);
    expect(uri.protocol).toBe("solana:");
    expect(uri.pathname).toBe(treasury.toBase58());
    expect(uri.searchParams.get("spl-token")).toBe(USDC_MINT.toBase58());
    expect(uri.searchParams.get("amount")).toBe((Number(intent.body.amount_base_units) / 1e6).toString());
    const reference = uri.searchParams.get("reference")!;
    expect(new PublicKey(reference).toBase58()).toBe(reference);

    // Paid from an exchange hot wallet (not the signed-in wallet), as a Solana Pay wallet would: with the reference.
    const authority = fundedWallet(rpc.chain);
    installMint(rpc.chain, USDC_MINT, authority.publicKey);
    const exchange = fundedWallet(rpc.chain);
    mintTo(rpc.chain, authority, USDC_MINT, exchange.publicKey, 1_000_000_000n);
    const paid = transferToken(rpc.chain, exchange, USDC_MINT, treasury, BigInt(intent.body.amount_base_units), {
      createRecipientAccount: true,
      references: [new PublicKey(reference)],
    });
    const solana = runtime.solana!;
    const connection = createSolanaConnection({ rpcUrl: rpc.url, commitment: "finalized" });
    const store = createSolanaListenerStore({
      db: testApp.database.db,
      chain: solana.description.chain,
      scan: solana.scan,
      valuer: solana.valuer,
      now: () => new Date(),
    });
    await runSolanaPass(connection, solana.scan, store);
    await runSolanaPass(connection, solana.scan, store);

    expect((await get("/api/v1/credits", key)).body.data.total_credits).toBe(Number(intent.body.amount_base_units) / 1e6);
    expect((await get("/api/v1/credits/deposits", key)).body.data).toEqual([
      expect.objectContaining({ tx: paid.signature, attribution: "reference", status: "credited" }),
    ]);
  });
  it("hands out a recent blockhash through the operator's connection, without naming the RPC", async () => {
    const answer = await get("/api/v1/credits/recent-blockhash?chain=solana");
    expect(answer.status).toBe(200);
    expect(answer.body.data).toEqual({ chain: "solana:mainnet", blockhash: rpc.chain.svm.latestBlockhash(), last_valid_block_height: expect.any(Number) });
    expect(JSON.stringify(answer.body)).not.toContain(rpc.url);
    const unknown = await get("/api/v1/credits/recent-blockhash?chain=eip155:1");
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toContain("No configured Solana chain");
    rpc.inject({ method: "getLatestBlockhash", kind: "rpc-error", message: "Node is behind" });
    const down = await get("/v1/credits/recent-blockhash");
    expect(down.status).toBe(503);
    expect(down.body.error.message).toMatch(/did not answer with a blockhash/);
    expect(JSON.stringify(down.body)).not.toContain(rpc.url);
  });
});
