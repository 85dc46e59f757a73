import { randomBytes } from "node:crypto";
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { buildKeyring, MasterKeyError, parseMasterKey } from "../../src/byok/master-keys.js";
import { ProviderSecret } from "../../src/byok/secret.js";
import { KeyVault } from "../../src/byok/vault.js";
import { AppError } from "../../src/domain/errors.js";

const keyA = randomBytes(32).toString("base64");
const keyB = randomBytes(32).toString("hex");
const apiKey = "sk-proj-THIS-IS-A-SECRET-9f3a";
const binding = { accountId: "acct_1", provider: "openai" };

describe("key vault", () => {
  it("round-trips a key and never stores it in clear", () => {
    const vault = new KeyVault(buildKeyring(keyA));
    const sealed = vault.seal(new ProviderSecret(apiKey), binding);
    expect(JSON.stringify(sealed)).not.toContain("SECRET");
    expect(Buffer.from(sealed.ciphertext, "base64").toString("utf8")).not.toContain("SECRET");
    expect(vault.open(sealed, binding).reveal()).toBe(apiKey);
  });

  it("uses a fresh IV every time", () => {
    const vault = new KeyVault(buildKeyring(keyA));
    const one = vault.seal(new ProviderSecret(apiKey), binding);
    const two = vault.seal(new ProviderSecret(apiKey), binding);
    expect(one.iv).not.toBe(two.iv);
    expect(one.ciphertext).not.toBe(two.ciphertext);
  });

  it("binds the ciphertext to account and provider", () => {
    const vault = new KeyVault(buildKeyring(keyA));
    const sealed = vault.seal(new ProviderSecret(apiKey), binding);
    expect(() => vault.open(sealed, { accountId: "acct_2", provider: "openai" })).toThrow(AppError);
    expect(() => vault.open(sealed, { accountId: "acct_1", provider: "anthropic" })).toThrow(/failed authentication/);
    // length-prefixed binding: moving characters between the fields does not collide
    const tricky = vault.seal(new ProviderSecret(apiKey), { accountId: "a:b", provider: "c" });
    expect(() => vault.open(tricky, { accountId: "a", provider: "b:c" })).toThrow(AppError);
  });

  it("detects tampering", () => {
    const vault = new KeyVault(buildKeyring(keyA));
    const sealed = vault.seal(new ProviderSecret(apiKey), binding);
    const bytes = Buffer.from(sealed.ciphertext, "base64");
    bytes[0] = bytes[0]! ^ 1;
    expect(() => vault.open({ ...sealed, ciphertext: bytes.toString("base64") }, binding)).toThrow(AppError);
  });

  it("rotates: a new master key opens old rows through the previous list and re-seals them", () => {
    const oldVault = new KeyVault(buildKeyring(keyA));
    const sealed = oldVault.seal(new ProviderSecret(apiKey), binding);
    const newVault = new KeyVault(buildKeyring(keyB, keyA));
    expect(newVault.needsRotation(sealed)).toBe(true);
    const resealed = newVault.reseal(sealed, binding);
    expect(resealed.masterKeyId).toBe(newVault.currentKeyId);
    expect(newVault.needsRotation(resealed)).toBe(false);
    // once the previous key is dropped, the re-sealed row still opens and the old one does not
    const onlyNew = new KeyVault(buildKeyring(keyB));
    expect(onlyNew.open(resealed, binding).reveal()).toBe(apiKey);
    expect(() => onlyNew.open(sealed, binding)).toThrow(/not configured/);
  });

  it("errors never carry the key or the master key", () => {
    const vault = new KeyVault(buildKeyring(keyA));
    const sealed = vault.seal(new ProviderSecret(apiKey), binding);
    try {
      vault.open({ ...sealed, authTag: Buffer.alloc(16).toString("base64") }, binding);
      expect.unreachable();
    } catch (error) {
      const text = inspect(error, { depth: 5 }) + JSON.stringify((error as AppError).toEnvelope());
      expect(text).not.toContain(apiKey);
      expect(text).not.toContain(keyA);
    }
    try {
      parseMasterKey("not-a-key-but-secret-ish!", "FAREBOX_BYOK_MASTER_KEY");
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(MasterKeyError);
      expect(String(error)).not.toContain("secret-ish");
    }
  });

  it("rejects master keys of the wrong size", () => {
    expect(() => parseMasterKey(randomBytes(16).toString("base64"), "X")).toThrow(MasterKeyError);
    expect(() => parseMasterKey("ab".repeat(31), "X")).toThrow(MasterKeyError);
    expect(parseMasterKey(keyB, "X").key.length).toBe(32);
  });

  it("a secret in memory prints masked everywhere", () => {
    const secret = new ProviderSecret(apiKey);
    const printed = [String(secret), `${secret}`, JSON.stringify({ secret }), inspect(secret), inspect({ nested: { secret } })];
    for (const text of printed) {
      expect(text).not.toContain("SECRET");
      expect(text).toContain("9f3a");
    }
    expect(secret.reveal()).toBe(apiKey);
    expect(new ProviderSecret("abc").lastFour).toBe("");
  });
});
