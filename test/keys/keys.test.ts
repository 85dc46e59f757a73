import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiKeys } from "../../src/db/schema/index.js";
import { createKey, KeyResolver, limitWindowStart } from "../../src/keys/index.js";
import { createAccount } from "../../src/ledger/index.js";
import { createTestDatabase, dbKinds, type TestDatabase } from "../support/db.js";

describe("limit windows (UTC)", () => {
  const wednesday = new Date("2026-11-25T17:30:00Z");
  it("start at midnight, on Monday, and on the first of the month", () => {
    expect(limitWindowStart("daily", wednesday).toISOString()).toBe("2026-11-25T00:00:00.000Z");
    expect(limitWindowStart("weekly", wednesday).toISOString()).toBe("2026-11-23T00:00:00.000Z");
    expect(limitWindowStart("weekly", new Date("2026-11-29T23:59:59Z")).toISOString()).toBe("2026-11-23T00:00:00.000Z");
    expect(limitWindowStart("weekly", new Date("2026-11-30T00:00:00Z")).toISOString()).toBe("2026-11-30T00:00:00.000Z");
    expect(limitWindowStart("monthly", wednesday).toISOString()).toBe("2026-11-01T00:00:00.000Z");
    expect(limitWindowStart(null, wednesday).getTime()).toBe(0);
  });
});

describe.each(dbKinds)("key resolver on %s", (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
  });
  afterAll(() => database.close());

  it("serves a key from memory, and sees a revocation made elsewhere once the TTL passes", async () => {
    let nowMs = Date.parse("2026-11-23T12:00:00Z");
    const clock = () => new Date(nowMs);
    const accountId = await createAccount(database.db);
    const { key, secret } = await createKey(database.db, { accountId, kind: "inference", name: "k" });
    const resolver = new KeyResolver(database.db, { ttlMs: 5_000, clock });
    expect(resolver.resolveCached(secret)).toBeUndefined();
    expect(await resolver.resolve(secret)).toMatchObject({ ok: true, key: { id: key.id } });
    expect(resolver.resolveCached(secret)).toMatchObject({ ok: true, key: { id: key.id } });

    // Another process disables the key directly in the database.
    await database.db.update(apiKeys).set({ disabled: true }).where(eq(apiKeys.id, key.id));
    nowMs += 1_000;
    expect((await resolver.resolve(secret)).ok).toBe(true);
    expect(resolver.resolveCached(secret)?.ok).toBe(true);
    nowMs += 5_000;
    // past the TTL only resolve can tell, and it reads the row again
    expect(resolver.resolveCached(secret)).toBeUndefined();
    expect(await resolver.resolve(secret)).toEqual({ ok: false, reason: "disabled" });
    expect(resolver.resolveCached(secret)).toEqual({ ok: false, reason: "disabled" });
  });

  it("checks expiry against the clock on every call, and refuses unknown or malformed secrets", async () => {
    let nowMs = Date.parse("2026-11-23T12:00:00Z");
    const clock = () => new Date(nowMs);
    const accountId = await createAccount(database.db);
    const { secret } = await createKey(database.db, {
      accountId,
      kind: "inference",
      name: "expiring",
      expiresAt: new Date(nowMs + 60_000),
    });
    const resolver = new KeyResolver(database.db, { ttlMs: 3_600_000, clock });
    expect((await resolver.resolve(secret)).ok).toBe(true);
    nowMs += 60_000;
    expect(resolver.resolveCached(secret)).toEqual({ ok: false, reason: "expired" });
    expect(await resolver.resolve(secret)).toEqual({ ok: false, reason: "expired" });
    expect(await resolver.resolve(`sk-fb-v1-${"a".repeat(64)}`)).toEqual({ ok: false, reason: "unknown" });
    expect(resolver.resolveCached(`sk-fb-v1-${"a".repeat(64)}`)).toBeUndefined();
    expect(await resolver.resolve("sk-or-v1-something")).toEqual({ ok: false, reason: "unknown" });
  });
});
