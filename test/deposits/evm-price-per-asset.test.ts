import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseEther } from "viem";
import { startEvmDepositWorld, type EvmDepositWorld } from "../support/evm-deposits.js";
import { dbKinds } from "../support/db.js";
import { createAccount } from "../../src/ledger/index.js";

describe.each(dbKinds)("deposits are priced per asset, in order per asset (%s)", (kind) => {
  let world: EvmDepositWorld;
  const nowSeconds = () => BigInt(Math.floor(Date.now() / 1000));

  beforeAll(async () => {
    world = await startEvmDepositWorld(kind);
    expect(await world.sync()).not.toBeInstanceOf(Error);
  });
  afterAll(async () => {
    await world?.stop();
  });

  it("a USDC deposit after an ETH deposit is credited while ETH's feed is stale; the ETH deposits follow, in order, at a fresh price", async () => {
    const alice = await createAccount(world.database.db);
    await world.linkWallet(alice, 1);
    await world.setPrice(2_000_00000000n, nowSeconds() - 7_200n);
    const eth1 = await world.sendEth(1, parseEther("0.01"));
    const usdc = await world.sendUsdc(1, 5_000_000n);
    const eth2 = await world.sendEth(1, parseEther("0.02"));
    await world.anvil.mine(3);
    const stalled = await world.sync();
    expect(stalled).toMatchObject({ kind: "stalled", reason: expect.stringMatching(/stale/) });
    expect((await world.rows(usdc))[0]).toMatchObject({ status: "credited", valueNano: 5_000_000_000n });
    expect((await world.rows(eth1))[0]?.status).toBe("seen");
    expect((await world.rows(eth2))[0]?.status).toBe("seen");
    expect(await world.balance(alice)).toBe(5_000_000_000n);
    // A later USDC deposit is not held up either.
    const usdc2 = await world.sendUsdc(1, 1_000_000n);
    await world.anvil.mine(3);
    await world.sync();
    expect((await world.rows(usdc2))[0]?.status).toBe("credited");
    await world.setPrice(3_000_00000000n, nowSeconds());
    expect(await world.sync()).not.toBeInstanceOf(Error);
    expect((await world.rows(eth1))[0]).toMatchObject({ status: "credited", valueNano: 30_000_000_000n });
    expect((await world.rows(eth2))[0]).toMatchObject({ status: "credited", valueNano: 60_000_000_000n });
    expect(await world.balance(alice)).toBe(96_000_000_000n);
    expect((await world.audit()).problems).toEqual([]);
  });
});
