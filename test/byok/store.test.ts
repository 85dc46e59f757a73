import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildKeyring } from "../../src/byok/master-keys.js";
import { ByokStore } from "../../src/byok/store.js";
import { KeyVault } from "../../src/byok/vault.js";
import { createTestDatabase, type TestDatabase } from "../support/db.js";

const keyA = randomBytes(32).toString("base64");
const keyB = randomBytes(32).toString("base64");
const secretKey = "sk-ant-api03-VERYSECRETMATERIAL-x1Z9";

let handle: TestDatabase;

beforeAll(async () => {
  handle = await createTestDatabase("pglite");
});
afterAll(async () => {
  await handle.close();
});

describe("BYOK store", () => {
  it("stores a key that cannot be read back from the database", async () => {
    const store = new ByokStore(handle.db, new KeyVault(buildKeyring(keyA)));
    const summary = await store.put("acct_a", "anthropic", secretKey);
    expect(summary).toMatchObject({ provider: "anthropic", lastFour: "x1Z9", alwaysUse: false });
    expect(JSON.stringify(summary)).not.toContain("VERYSECRET");

    // the whole table, dumped as text, holds no part of the key beyond its last four
    const dump = await handle.db.execute("select t::text as row from byok_keys t");
    const everything = JSON.stringify(dump);
    expect(everything).toContain("x1Z9");
    expect(everything).not.toContain("VERYSECRET");
    expect(everything).not.toContain(secretKey.slice(0, 12));
    const opened = await store.openAll("acct_a");
    expect(opened.get("anthropic")?.secret.reveal()).toBe(secretKey);
  });

  it("lists masked, replaces, and deletes", async () => {
    const store = new ByokStore(handle.db, new KeyVault(buildKeyring(keyA)));
    await store.put("acct_b", "openai", "sk-first-1111");
    await store.put("acct_b", "openai", "sk-second-2222", true);
    await store.put("acct_b", "groq", "gsk_3333");
    const list = await store.list("acct_b");
    expect(list.map((k) => [k.provider, k.lastFour, k.alwaysUse])).toEqual([
      ["groq", "3333", false],
      ["openai", "2222", true],
    ]);
    expect((await store.openAll("acct_b")).get("openai")?.secret.reveal()).toBe("sk-second-2222");
    expect(await store.list("acct_a")).toHaveLength(1);
    expect(await store.remove("acct_b", "groq")).toBe(true);
    expect(await store.remove("acct_b", "groq")).toBe(false);
    expect((await store.list("acct_b")).map((k) => k.provider)).toEqual(["openai"]);
  });

  it("stamps use and rejection", async () => {
    let now = new Date("2026-01-01T00:00:00Z");
    const store = new ByokStore(handle.db, new KeyVault(buildKeyring(keyA)), () => now);
    await store.put("acct_c", "openai", "sk-use-4444");
    now = new Date("2026-01-02T00:00:00Z");
    await store.markUsed("acct_c", "openai", true);
    let [row] = await store.list("acct_c");
    expect(row?.lastRejectedAt?.toISOString()).toBe("2026-01-02T00:00:00.000Z");
    expect(row?.lastUsedAt).toBeNull();
    now = new Date("2026-01-03T00:00:00Z");
    await store.markUsed("acct_c", "openai", false);
    [row] = await store.list("acct_c");
    expect(row?.lastUsedAt?.toISOString()).toBe("2026-01-03T00:00:00.000Z");
    expect(row?.lastRejectedAt).toBeNull();
  });

  it("re-seals every old row under a new master key", async () => {
    const oldStore = new ByokStore(handle.db, new KeyVault(buildKeyring(keyA)));
    await oldStore.put("acct_d", "mistral", "mistral-key-5555");
    const rotating = new ByokStore(handle.db, new KeyVault(buildKeyring(keyB, keyA)));
    const rotated = await rotating.rotate();
    expect(rotated.resealed).toBeGreaterThanOrEqual(1);
    expect(rotated.unopenable).toEqual([]);
    expect(await rotating.rotate()).toEqual({ resealed: 0, unopenable: [] });
    const onlyNew = new ByokStore(handle.db, new KeyVault(buildKeyring(keyB)));
    expect((await onlyNew.openAll("acct_d")).get("mistral")?.secret.reveal()).toBe("mistral-key-5555");
    expect((await onlyNew.openAll("acct_a")).get("anthropic")?.secret.reveal()).toBe(secretKey);
    await expect(oldStore.openAll("acct_d")).rejects.toThrow(/not configured/);
  });

  it("keeps an account's opened keys for the request path, forgetting them when they change", async () => {
    let now = new Date("2026-01-01T00:00:00Z");
    const announced: string[] = [];
    const vault = new KeyVault(buildKeyring(keyA));
    const store = new ByokStore(handle.db, vault, () => now, { ttlMs: 5_000, onChange: (accountId) => announced.push(accountId) });
    // another process (another worker or machine) writing the same table
    const elsewhere = new ByokStore(handle.db, vault, () => now);
    await store.put("acct_e", "openai", "sk-first-6666");
    expect(announced).toEqual(["acct_e"]);
    expect((await store.keysFor("acct_e")).get("openai")?.secret.reveal()).toBe("sk-first-6666");

    // a change this process made is seen at once and announced to the others
    await store.put("acct_e", "openai", "sk-second-7777");
    expect((await store.keysFor("acct_e")).get("openai")?.secret.reveal()).toBe("sk-second-7777");
    await store.remove("acct_e", "openai");
    expect(announced).toEqual(["acct_e", "acct_e", "acct_e"]);
    expect((await store.keysFor("acct_e")).size).toBe(0);

    // a change made elsewhere: seen once announced (forget), or when the kept copy is 5 s old
    await elsewhere.put("acct_e", "groq", "gsk_8888");
    expect((await store.keysFor("acct_e")).size).toBe(0);
    store.forget("acct_e");
    expect((await store.keysFor("acct_e")).get("groq")?.secret.reveal()).toBe("gsk_8888");
    await elsewhere.remove("acct_e", "groq");
    now = new Date("2026-01-01T00:00:04.999Z");
    expect((await store.keysFor("acct_e")).has("groq")).toBe(true);
    now = new Date("2026-01-01T00:00:05Z");
    expect((await store.keysFor("acct_e")).size).toBe(0);
  });
});
