import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { startEvmDepositWorld, type EvmDepositWorld } from "../support/evm-deposits.js";
import { dbKinds } from "../support/db.js";
import { createAccount, postEntry } from "../../src/ledger/index.js";
import { deposits } from "../../src/db/schema/index.js";
import { getCursor, setCursor } from "../../src/deposits/cursors.js";
import { wantsChainAudit } from "../../src/deposits/chain-audit-command.js";
import { newId } from "../../src/domain/ids.js";

describe.each(dbKinds)("the chain audit fails on what the ledger audit cannot see (%s)", (kind) => {
  let world: EvmDepositWorld;
  let alice: string;

  beforeAll(async () => {
    world = await startEvmDepositWorld(kind);
    alice = await createAccount(world.database.db);
    await world.linkWallet(alice, 1);
    expect(await world.sync()).not.toBeInstanceOf(Error);
  });
  afterAll(async () => {
    await world?.stop();
  });

  it("passes on deposits credited once each, as the chain has them", async () => {
    await world.sendUsdc(1, 1_000_000n);
    await world.anvil.mine(3);
    expect(await world.sync()).not.toBeInstanceOf(Error);
    const audit = await world.audit();
    expect(audit.problems).toEqual([]);
    expect(audit.chain.depositsChecked).toBe(1);
    expect(audit.chain.blocksSampled).toBeGreaterThan(0);
  });

  it("fails on a deposit credited twice", async () => {
    const [row] = await world.database.db.select().from(deposits).where(eq(deposits.chain, world.chain));
    await postEntry(world.database.db, { accountId: alice, kind: "deposit", amountNano: row!.valueNano!, idempotencyKey: "second-credit", metadata: { chain: world.chain, tx: row!.txId, asset: "USDC" } });
    expect((await world.audit()).chain.problems).toEqual([expect.stringContaining("credited 2 times for 1 transfer(s) on chain")]);
    await postEntry(world.database.db, { accountId: alice, kind: "deposit", amountNano: -row!.valueNano!, idempotencyKey: "second-credit-undone", metadata: { chain: world.chain, tx: row!.txId, asset: "USDC" } });
  });

  it("fails on a deposit credited but not on chain", async () => {
    const fake = `0x${"ab".repeat(32)}`;
    await world.database.db.insert(deposits).values({
      id: newId("dep"), chain: world.chain, txId: fake, logIndex: 0, asset: "USDC", fromAddress: world.anvil.wallet(1).account.address, toAddress: world.treasury,
      amountBaseUnits: 5n, blockOrSlot: 1n, status: "credited", accountId: alice, valueNano: 5_000n,
    });
    expect((await world.audit()).chain.problems).toEqual([expect.stringContaining("is credited but not on chain")]);
    await world.database.db.delete(deposits).where(eq(deposits.txId, fake));
  });

  it("fails on a deposit on chain that was never recorded", async () => {
    const missed = await world.sendUsdc(2, 2_000_000n);
    await world.anvil.mine(3);
    const cursor = (await getCursor(world.database.db, world.chain))!;
    const head = await world.anvil.publicClient.getBlock();
    // A listener that skipped the range (as one behind a lagging log node did) leaves only the cursor.
    await setCursor(world.database.db, world.chain, { block: head.number, hash: head.hash }, new Date());
    expect(cursor.block).toBeLessThan(head.number);
    expect((await world.audit()).chain.problems).toEqual([expect.stringContaining(`${missed} (USDC 2000000) is on chain`)]);
  });

  it("runs from audit:ledger only when asked with --chain", () => {
    expect(wantsChainAudit(["node", "audit-ledger.ts", "--chain"])).toBe(true);
    expect(wantsChainAudit(["node", "audit-ledger.ts"])).toBe(false);
  });
});
