import { sign } from "node:crypto";
import { Keypair } from "@solana/web3.js";
import { describe, expect, it } from "vitest";
import { buildSiwsMessage, parseSiwsMessage } from "../../src/auth/siws-message.js";
import { createSiwsChallenge, verifySiws } from "../../src/auth/siws.js";

const NOW = new Date("2026-11-23T12:00:00.000Z");
const DOMAIN = "farebox.example";
const NONCE = "k3Jd9QmZ2pLx";

/** Signs like a wallet does: ed25519 over the UTF-8 text, with the keypair's 64-byte secret. */
function walletSign(keypair: Keypair, message: string): Uint8Array {
  const seed = Buffer.from(keypair.secretKey.subarray(0, 32));
  const pkcs8 = Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), seed]);
  return sign(null, Buffer.from(message, "utf8"), { key: pkcs8, format: "der", type: "pkcs8" });
}

function challengeFor(keypair: Keypair, overrides: { issuedAt?: Date; expirationTime?: Date } = {}): string {
  return createSiwsChallenge({
    domain: DOMAIN,
    address: keypair.publicKey.toBase58(),
    nonce: NONCE,
    uri: `https://${DOMAIN}`,
    statement: "Sign in to farebox",
    chainId: "mainnet",
    issuedAt: overrides.issuedAt ?? NOW,
    expirationTime: overrides.expirationTime ?? new Date(NOW.getTime() + 5 * 60_000),
  });
}

const expected = { domain: DOMAIN, nonce: NONCE, uri: `https://${DOMAIN}`, now: NOW };

describe("SIWS message format", () => {
  it("renders the wallet-standard text and parses it back exactly", () => {
    const text = buildSiwsMessage({
      domain: DOMAIN,
      address: "7ZJ2nEEmFb1kDkvhu3zZqC5B5wG6kZzR1zv2W3T7Wz8k",
      statement: "Hello",
      uri: "https://farebox.example",
      version: "1",
      nonce: NONCE,
      issuedAt: "2026-11-23T12:00:00.000Z",
      resources: ["https://a.example", "https://b.example"],
    });
    expect(text).toBe(
      [
        "farebox.example wants you to sign in with your Solana account:",
        "7ZJ2nEEmFb1kDkvhu3zZqC5B5wG6kZzR1zv2W3T7Wz8k",
        "",
        "Hello",
        "",
        "URI: https://farebox.example",
        "Version: 1",
        `Nonce: ${NONCE}`,
        "Issued At: 2026-11-23T12:00:00.000Z",
        "Resources:",
        "- https://a.example",
        "- https://b.example",
      ].join("\n"),
    );
    expect(parseSiwsMessage(text)?.resources).toEqual(["https://a.example", "https://b.example"]);
    expect(parseSiwsMessage(`${text}\nExtra: line`)).toBeNull();
    expect(parseSiwsMessage("not a sign-in message")).toBeNull();
  });

  it("parses a message without a statement", () => {
    const text = buildSiwsMessage({ domain: DOMAIN, address: "abc", nonce: NONCE });
    expect(parseSiwsMessage(text)).toEqual({ domain: DOMAIN, address: "abc", nonce: NONCE });
  });
});

describe("verifySiws with real ed25519 keypairs", () => {
  it("accepts a message signed by its own address (base58 and base64 signatures)", () => {
    const wallet = Keypair.generate();
    const message = challengeFor(wallet);
    const signature = walletSign(wallet, message);
    const base64 = verifySiws({ message, signature: Buffer.from(signature).toString("base64"), expected });
    expect(base64).toMatchObject({ ok: true, address: wallet.publicKey.toBase58() });
    const base58 = verifySiws({
      message,
      signature: encodeBase58(signature),
      publicKey: wallet.publicKey.toBase58(),
      expected,
    });
    expect(base58.ok).toBe(true);
  });

  it("rejects a signature made by another key", () => {
    const wallet = Keypair.generate();
    const attacker = Keypair.generate();
    const message = challengeFor(wallet);
    const signature = Buffer.from(walletSign(attacker, message)).toString("base64");
    expect(verifySiws({ message, signature, expected })).toEqual({ ok: false, reason: "bad_signature" });
    // Claiming the attacker's key as the signer does not help: it must be the message's address.
    expect(verifySiws({ message, signature, publicKey: attacker.publicKey.toBase58(), expected })).toEqual({
      ok: false,
      reason: "public_key_mismatch",
    });
  });

  it("rejects a tampered message", () => {
    const wallet = Keypair.generate();
    const message = challengeFor(wallet);
    const signature = Buffer.from(walletSign(wallet, message)).toString("base64");
    const tampered = message.replace("Sign in to farebox", "Sign in to farebox!");
    expect(verifySiws({ message: tampered, signature, expected })).toEqual({ ok: false, reason: "bad_signature" });
    const flipped = Buffer.from(signature, "base64");
    flipped[10] = (flipped[10] ?? 0) ^ 1;
    expect(verifySiws({ message, signature: flipped.toString("base64"), expected }).ok).toBe(false);
  });

  it("rejects an expired, a future and a stale message", () => {
    const wallet = Keypair.generate();
    const expiredMessage = challengeFor(wallet, {
      issuedAt: new Date(NOW.getTime() - 6 * 60_000),
      expirationTime: new Date(NOW.getTime() - 60_000),
    });
    const expiredSignature = Buffer.from(walletSign(wallet, expiredMessage)).toString("base64");
    expect(verifySiws({ message: expiredMessage, signature: expiredSignature, expected })).toEqual({
      ok: false,
      reason: "expired",
    });
    const stale = challengeFor(wallet, {
      issuedAt: new Date(NOW.getTime() - 60 * 60_000),
      expirationTime: new Date(NOW.getTime() + 60 * 60_000),
    });
    expect(verifySiws({ message: stale, signature: b64(walletSign(wallet, stale)), expected })).toEqual({
      ok: false,
      reason: "issued_at_out_of_range",
    });
    const notYet = buildSiwsMessage({
      domain: DOMAIN,
      address: wallet.publicKey.toBase58(),
      uri: `https://${DOMAIN}`,
      nonce: NONCE,
      issuedAt: NOW.toISOString(),
      notBefore: new Date(NOW.getTime() + 60_000).toISOString(),
    });
    expect(verifySiws({ message: notYet, signature: b64(walletSign(wallet, notYet)), expected })).toEqual({
      ok: false,
      reason: "not_yet_valid",
    });
  });

  it("rejects another nonce, domain or uri even when correctly signed", () => {
    const wallet = Keypair.generate();
    const message = challengeFor(wallet);
    const signature = b64(walletSign(wallet, message));
    expect(verifySiws({ message, signature, expected: { ...expected, nonce: "otherNonce123" } }).ok).toBe(false);
    expect(verifySiws({ message, signature, expected: { ...expected, domain: "evil.example" } })).toEqual({
      ok: false,
      reason: "domain_mismatch",
    });
    expect(verifySiws({ message, signature, expected: { ...expected, uri: "https://evil.example" } })).toEqual({
      ok: false,
      reason: "uri_mismatch",
    });
  });

  it("rejects garbage signatures and addresses without throwing", () => {
    const wallet = Keypair.generate();
    const message = challengeFor(wallet);
    expect(verifySiws({ message, signature: "!!!", expected })).toEqual({ ok: false, reason: "malformed_signature" });
    const badAddress = message.replace(wallet.publicKey.toBase58(), "0OIl");
    expect(verifySiws({ message: badAddress, signature: "x", expected })).toEqual({
      ok: false,
      reason: "invalid_address",
    });
  });
});

function b64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("base64");
}

function encodeBase58(bytes: Uint8Array): string {
  const alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
  let value = BigInt(`0x${Buffer.from(bytes).toString("hex") || "0"}`);
  let out = "";
  while (value > 0n) {
    out = alphabet[Number(value % 58n)] + out;
    value /= 58n;
  }
  for (const byte of bytes) {
    if (byte !== 0) break;
    out = `1${out}`;
  }
  return out;
}
