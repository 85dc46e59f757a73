import { generateKeyPairSync, sign } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAccountViaAdmin, startTestApp, TEST_ADMIN_TOKEN, type TestApp } from "../support/app.js";
import { dbKinds } from "../support/db.js";
import { encodeBase58 } from "../support/solana-rpc/chain.js";
import { apiKeys } from "../../src/db/schema/index.js";
import { hashSecret } from "../../src/keys/index.js";

const SESSION_TTL_S = 3600;

describe.each(dbKinds)("wallet sessions and the account overview (%s)", (kind) => {
  let testApp: TestApp;
  beforeAll(async () => {
    testApp = await startTestApp(kind, {
      config: {
        auth: { domain: "dash.farebox.test", uri: "https://dash.farebox.test/", statement: "Sign in.", challenge_ttl_s: 300, session_ttl_s: SESSION_TTL_S, intent_ttl_s: 3600 },
      },
    });
  });
  afterAll(async () => testApp?.close());

  const call = async (method: string, path: string, key?: string, body?: unknown) => {
    const response = await fetch(`${testApp.url}${path}`, {
      method,
      headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as any };
  };

  /** Signs in with a fresh Solana keypair; returns the session. */
  const signIn = async () => {
    const { publicKey, privateKey } = generateKeyPairSync("ed25519");
    const address = encodeBase58(publicKey.export({ format: "der", type: "spki" }).subarray(-32));
    const challenge = await call("POST", "/api/v1/auth/challenge", undefined, { chain: "solana", address });
    expect(challenge.status).toBe(200);
    const signature = sign(null, Buffer.from(challenge.body.message), privateKey).toString("base64");
    const verified = await call("POST", "/api/v1/auth/verify", undefined, { message: challenge.body.message, signature });
    expect(verified.status).toBe(200);
    return { address, key: verified.body.key as string, accountId: verified.body.account_id as string };
  };

  it("renews a session: a new key valid for another session_ttl_s, the old one ending a minute later", async () => {
    const session = await signIn();
    const before = Date.now();
    const renewed = await call("POST", "/api/v1/auth/session", session.key);
    expect(renewed.status).toBe(200);
    expect(renewed.body.account_id).toBe(session.accountId);
    expect(renewed.body.key).toMatch(/^sk-fb-v1-/);
    expect(renewed.body.key).not.toBe(session.key);
    const expiresAt = Date.parse(renewed.body.expires_at);
    expect(expiresAt).toBeGreaterThanOrEqual(before + SESSION_TTL_S * 1000 - 1000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + SESSION_TTL_S * 1000);

    // the new key works; the old one still does, for at most a minute
    expect((await call("GET", "/api/v1/credits/balance", renewed.body.key)).status).toBe(200);
    expect((await call("GET", "/api/v1/credits/balance", session.key)).status).toBe(200);
    const [old] = await testApp.database.db.select().from(apiKeys).where(eq(apiKeys.hash, hashSecret(session.key)));
    expect(old!.expiresAt!.getTime()).toBeGreaterThan(before);
    expect(old!.expiresAt!.getTime()).toBeLessThanOrEqual(Date.now() + 60_000);
  });

  it("refuses to renew what is not a wallet session", async () => {
    const admin = await createAccountViaAdmin(testApp.url);
    const noExpiry = await call("POST", "/api/v1/auth/session", admin.managementKey);
    expect(noExpiry.status).toBe(400);
    expect(noExpiry.body.error.message).toContain("does not expire");
    const inference = await call("POST", "/api/v1/keys", admin.managementKey, { name: "app" });
    expect((await call("POST", "/api/v1/auth/session", inference.body.key)).status).toBe(403);
    expect((await call("POST", "/api/v1/auth/session")).status).toBe(401);
  });

  it("shows balance, held and available as exact decimal strings, and the linked wallets", async () => {
    const session = await signIn();
    const credited = await fetch(`${testApp.url}/api/v1/admin/accounts/${session.accountId}/credits`, {
      method: "POST",
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ amount_usd: "12.000000001", reason: "test" }),
    });
    expect(credited.status).toBe(201);
    expect((await call("GET", "/api/v1/credits/balance", session.key)).body).toEqual({ data: { balance: "12.000000001", held: "0", available: "12.000000001" } });
    const wallets = await call("GET", "/api/v1/auth/wallets", session.key);
    expect(wallets.body.data).toEqual([{ chain: "solana", address: session.address, created_at: expect.any(String) }]);
    expect((await call("GET", "/api/v1/credits/balance")).status).toBe(401);
  });

  it("lists no generation for a new account, and only to its management key", async () => {
    const session = await signIn();
    expect((await call("GET", "/api/v1/generations?limit=5", session.key)).body).toEqual({ data: [] });
    expect((await call("GET", "/api/v1/generations?limit=0", session.key)).status).toBe(400);
    expect((await call("GET", "/api/v1/generations")).status).toBe(401);
  });
});
