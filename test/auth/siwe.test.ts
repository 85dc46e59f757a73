import { describe, expect, it } from "vitest";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { buildSiweMessage, verifySiwe, siweNonce, type SiweExpectations } from "../../src/auth/siwe.js";

const site = { domain: "pay.example.com", uri: "https://pay.example.com/login", statement: "Sign in to farebox. No transaction, no fee." };
const now = new Date("2026-11-23T12:00:00Z");
const expectations: SiweExpectations = { site, allowedChainIds: [1, 8453], now, maxAgeMs: 10 * 60_000 };
const account = privateKeyToAccount(generatePrivateKey());
const other = privateKeyToAccount(generatePrivateKey());

function challenge(overrides: Partial<Parameters<typeof buildSiweMessage>[0]> = {}) {
  return buildSiweMessage({
    site,
    address: account.address,
    chainId: 8453,
    nonce: "abcDEF1234567890",
    issuedAt: new Date(now.getTime() - 1000),
    expiresAt: new Date(now.getTime() + 5 * 60_000),
    ...overrides,
  });
}

describe("SIWE messages", () => {
  it("builds the full EIP-4361 text server-side", () => {
    const message = challenge();
    expect(message).toContain("pay.example.com wants you to sign in with your Ethereum account:");
    expect(message).toContain(account.address);
    expect(message).toContain("URI: https://pay.example.com/login");
    expect(message).toContain("Chain ID: 8453");
    expect(message).toContain("Nonce: abcDEF1234567890");
    expect(message).toContain("Issued At: 2026-11-23T11:59:59.000Z");
    expect(message).toContain("Expiration Time: 2026-11-23T12:05:00.000Z");
    expect(siweNonce(message)).toBe("abcDEF1234567890");
  });

  it("verifies a personal_sign signature from the message's address", async () => {
    const message = challenge();
    const signature = await account.signMessage({ message });
    expect(await verifySiwe(message, signature, expectations)).toEqual({
      kind: "verified",
      address: account.address,
      chainId: 8453,
      nonce: "abcDEF1234567890",
    });
  });

  it("rejects a signature from another address", async () => {
    const message = challenge();
    const signature = await other.signMessage({ message });
    expect(await verifySiwe(message, signature, expectations)).toMatchObject({ kind: "rejected", reason: expect.stringMatching(/signature/) });
  });

  it("rejects a message for another domain or uri, even when correctly signed", async () => {
    const forDomain = challenge({ site: { ...site, domain: "evil.example.com" } });
    expect(await verifySiwe(forDomain, await account.signMessage({ message: forDomain }), expectations)).toMatchObject({
      kind: "rejected",
      reason: expect.stringMatching(/domain/),
    });
    const forUri = challenge({ site: { ...site, uri: "https://evil.example.com/login" } });
    expect(await verifySiwe(forUri, await account.signMessage({ message: forUri }), expectations)).toMatchObject({
      kind: "rejected",
      reason: expect.stringMatching(/uri/),
    });
  });

  it("rejects a chain id the operator does not accept", async () => {
    const message = challenge({ chainId: 137 });
    expect(await verifySiwe(message, await account.signMessage({ message }), expectations)).toMatchObject({
      kind: "rejected",
      reason: expect.stringMatching(/chain id 137/),
    });
  });

  it("rejects expired, too old and future messages", async () => {
    const expired = challenge({ expiresAt: new Date(now.getTime() - 1) });
    expect(await verifySiwe(expired, await account.signMessage({ message: expired }), expectations)).toMatchObject({
      reason: expect.stringMatching(/expired/),
    });
    const old = challenge({ issuedAt: new Date(now.getTime() - 11 * 60_000) });
    expect(await verifySiwe(old, await account.signMessage({ message: old }), expectations)).toMatchObject({
      reason: expect.stringMatching(/too old/),
    });
    const future = challenge({ issuedAt: new Date(now.getTime() + 5 * 60_000), expiresAt: new Date(now.getTime() + 10 * 60_000) });
    expect(await verifySiwe(future, await account.signMessage({ message: future }), expectations)).toMatchObject({
      reason: expect.stringMatching(/future/),
    });
  });

  it("rejects garbage without throwing", async () => {
    expect(await verifySiwe("hello", "0x1234", expectations)).toMatchObject({ kind: "rejected" });
    expect(await verifySiwe(challenge(), "not-hex", expectations)).toMatchObject({ kind: "rejected" });
    expect(await verifySiwe(challenge(), "0xdeadbeef", expectations)).toMatchObject({ kind: "rejected" });
  });
});
