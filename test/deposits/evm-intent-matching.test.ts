import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { startEvmDepositWorld, type EvmDepositWorld } from "../support/evm-deposits.js";
import { dbKinds } from "../support/db.js";
import { createIntent } from "../../src/deposits/intents.js";
import { evmReissueCooldownMs } from "../../src/deposits/reissue-cooldown.js";
import type { DepositChain } from "../../src/deposits/deposit-chain.js";
import { tokenPaymentUri } from "../../src/deposits/eip681.js";
import { createAccount } from "../../src/ledger/index.js";
import { depositIntents } from "../../src/db/schema/index.js";
import { newId } from "../../src/domain/ids.js";

const HOUR_MS = 60 * 60 * 1000;

describe.each(dbKinds)("an intent matches only a payment made in its window, never a neighbour's (%s)", (kind) => {
  let world: EvmDepositWorld;
  let usdcChain: DepositChain;

  /**
   * Now by the chain's clock (its head's timestamp), the clock a payment's window is judged by. Intents are dated by
   * it, not by the wall clock: anvil's block times drift from the wall clock by seconds (ahead after a burst of
   * blocks, behind after replaced ones), and a test about windows must not depend on that drift.
   */
  async function chainNow(): Promise<Date> {
    const head = await world.anvil.publicClient.getBlock();
    return new Date(Number(head.timestamp) * 1000);
  }
  async function intent(accountId: string, amountUsd: string, ttlMs = HOUR_MS) {
    return createIntent(world.database.db, [usdcChain], accountId, { chain: world.chain, asset: "USDC", amount_usd: amountUsd }, await chainNow(), ttlMs);
  }
  async function insertIntent(accountId: string, amount: bigint, createdAt: Date, expiresAt: Date, status: "open" | "expired" = "open") {
    const id = newId("int");
    await world.database.db.insert(depositIntents).values({ id, accountId, chain: world.chain, asset: "USDC", amountBaseUnits: amount, amountUsdNano: amount * 1000n, createdAt, expiresAt, status });
    return id;
  }
  async function confirmAndSync(now?: Date) {
    await world.anvil.mine(3);
    const result = await world.sync(now ? { now: () => now } : {});
    expect(result).not.toBeInstanceOf(Error);
  }

  beforeAll(async () => {
    world = await startEvmDepositWorld(kind);
    usdcChain = {
      chain: world.chain,
      family: "evm",
      chainId: world.anvil.chainId,
      name: "anvil",
      treasury: world.treasury,
      confirmations: 3,
      intentReissueCooldownMs: evmReissueCooldownMs(3, 1_000),
      assets: [{ symbol: "USDC", decimals: 6, native: false, tokenAddress: world.usdc, priced: false }],
      attribution: ["linked_wallet", "intent_exact_amount"],
      quote: async () => ({ kind: "quote" }),
      paymentUri: (_asset, amount) => tokenPaymentUri(world.usdc, world.anvil.chainId, world.treasury, amount),
    };
    expect(await world.sync()).not.toBeInstanceOf(Error);
  });
  afterAll(async () => {
    await world?.stop();
  });

  it("off by one base unit: U1's overpayment matches nobody and U2's own payment is credited to U2", async () => {
    const u1 = await createAccount(world.database.db);
    const u2 = await createAccount(world.database.db);
    const i1 = await intent(u1, "10");
    const i2 = await intent(u2, "10");
    const overpaid = await world.sendUsdc(3, i1.amountBaseUnits + 1n);
    const own = await world.sendUsdc(4, i2.amountBaseUnits);
    await confirmAndSync();
    expect((await world.rows(overpaid))[0]).toMatchObject({ status: "unattributed", accountId: null });
    expect((await world.rows(own))[0]).toMatchObject({ status: "credited", accountId: u2, intentId: i2.id });
    expect(await world.balance(u1)).toBe(0n);
    expect(await world.balance(u2)).toBe(i2.amountBaseUnits * 1000n);
    expect((await world.audit()).problems).toEqual([]);
  });

  it("an RPC outage: a payment made in its intent's window goes to that intent, not to the amount's next holder", async () => {
    const u3 = await createAccount(world.database.db);
    const u4 = await createAccount(world.database.db);
    const i3 = await intent(u3, "12", 60_000);
    const paid = await world.sendUsdc(5, i3.amountBaseUnits);
    // The listener is down for two hours; meanwhile the intent expired and its amount went to U4.
    await world.database.db.update(depositIntents).set({ status: "expired" }).where(eq(depositIntents.id, i3.id));
    const reissuedAt = new Date((await chainNow()).getTime() + 2 * HOUR_MS);
    await insertIntent(u4, i3.amountBaseUnits, reissuedAt, new Date(reissuedAt.getTime() + HOUR_MS));
    await confirmAndSync(new Date(reissuedAt.getTime() + 60_000));
    expect((await world.rows(paid))[0]).toMatchObject({ status: "credited", accountId: u3, intentId: i3.id, attribution: "intent" });
    expect(await world.balance(u4)).toBe(0n);
    expect((await world.audit()).problems).toEqual([]);
  });

  it("front-running: no intent can be opened for, or match, a payment already on chain", async () => {
    const attacker = await createAccount(world.database.db);
    const amount = 7_654_321n;
    const paid = await world.sendUsdc(3, amount);
    expect(await world.sync()).not.toBeInstanceOf(Error);
    expect((await world.rows(paid))[0]?.status).toBe("seen");
    // amount_usd takes 6+ decimals: one unit below the payment would have been offset onto it.
    for (let i = 0; i < 20; i += 1) expect((await intent(attacker, "7.654320")).amountBaseUnits).not.toBe(amount);
    // Even an intent for exactly that amount (however it came to exist) opened after the payment does not match it:
    // opened in the second after the payment's block, by the chain's clock.
    const openedAfter = new Date((await chainNow()).getTime() + 1_000);
    await insertIntent(attacker, amount, openedAfter, new Date(openedAfter.getTime() + HOUR_MS));
    await confirmAndSync();
    expect((await world.rows(paid))[0]).toMatchObject({ status: "unattributed", accountId: null });
    expect(await world.balance(attacker)).toBe(0n);
    expect((await world.audit()).problems).toEqual([]);
  });

  it("an ambiguous match is parked, never guessed", async () => {
    const u5 = await createAccount(world.database.db);
    const u6 = await createAccount(world.database.db);
    const amount = 3_333_333n;
    const now = await chainNow();
    const started = new Date(now.getTime() - 60_000);
    await insertIntent(u5, amount, started, new Date(now.getTime() + HOUR_MS), "expired");
    await insertIntent(u6, amount, started, new Date(now.getTime() + HOUR_MS));
    const paid = await world.sendUsdc(4, amount);
    await confirmAndSync();
    expect((await world.rows(paid))[0]).toMatchObject({ status: "unattributed", accountId: null });
    expect(await world.balance(u5)).toBe(0n);
    expect(await world.balance(u6)).toBe(0n);
    expect((await world.audit()).problems).toEqual([]);
  });

  it("an ETH intent paid exactly and in time is credited at its quote, though the feed moved meanwhile", async () => {
    const u7 = await createAccount(world.database.db);
    const ethChain: DepositChain = {
      ...usdcChain,
      assets: [{ symbol: "ETH", decimals: 18, native: true, priced: true }],
      quote: async () => ({ kind: "quote", price: { answer: 2_000_00000000n, decimals: 8 } }),
    };
    const quoted = await createIntent(world.database.db, [ethChain], u7, { chain: world.chain, asset: "ETH", amount_usd: "40" }, await chainNow(), HOUR_MS);
    expect(quoted.priced).toBe(true);
    // The feed halves before the payment confirms: at credit time 0.02 ETH is worth $20.
    await world.setPrice(1_000_00000000n, BigInt(Math.floor(Date.now() / 1000)));
    const hash = await world.sendEth(5, quoted.amountBaseUnits);
    await confirmAndSync();
    expect((await world.rows(hash))[0]).toMatchObject({ status: "credited", accountId: u7, intentId: quoted.id, valueNano: 40_000_000_000n });
    expect(await world.balance(u7)).toBe(40_000_000_000n);
    // Not exactly the amount: no quote to honour, and no intent either (parked at the feed's value).
    const off = await world.sendEth(5, quoted.amountBaseUnits + 1n);
    await confirmAndSync();
    expect((await world.rows(off))[0]).toMatchObject({ status: "unattributed" });
    await world.setPrice(2_000_00000000n, BigInt(Math.floor(Date.now() / 1000)));
    expect((await world.audit()).problems).toEqual([]);
  });

  it("a deposit parked before its sender's wallet was linked is credited to that account once linked", async () => {
    const late = await createAccount(world.database.db);
    const paid = await world.sendUsdc(2, 6_543_210n);
    await confirmAndSync();
    expect((await world.rows(paid))[0]).toMatchObject({ status: "unattributed" });
    await world.linkWallet(late, 2);
    expect(await world.sync()).not.toBeInstanceOf(Error);
    expect((await world.rows(paid))[0]).toMatchObject({ status: "credited", accountId: late, attribution: "wallet" });
    expect(await world.balance(late)).toBe(6_543_210_000n);
    expect(await world.sync()).not.toBeInstanceOf(Error);
    expect(await world.balance(late)).toBe(6_543_210_000n);
    expect((await world.audit()).problems).toEqual([]);
  });
});
