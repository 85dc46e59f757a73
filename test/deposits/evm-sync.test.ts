import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { parseEther, type Hash } from "viem";
import { artifact } from "../support/anvil.js";
import { startEvmDepositWorld, type EvmDepositWorld } from "../support/evm-deposits.js";
import { dbKinds } from "../support/db.js";
import { RangeSizer } from "../../src/chains/evm/range.js";
import { creditNextChunk, syncEvmChain } from "../../src/deposits/evm-sync.js";
import { assignDeposit } from "../../src/deposits/credit.js";
import { createAccount, auditLedger } from "../../src/ledger/index.js";
import { depositIntents, ledgerEntries } from "../../src/db/schema/index.js";
import { newId } from "../../src/domain/ids.js";
import type { AssetValuer } from "../../src/deposits/types.js";
import { atomically } from "../../src/db/atomic.js";
import { tryChainLock } from "../../src/deposits/cursors.js";

describe.each(dbKinds)("EVM deposits credited exactly once (%s)", (kind) => {
  let world: EvmDepositWorld;
  let alice: string;

  const nowSeconds = () => BigInt(Math.floor(Date.now() / 1000));

  beforeAll(async () => {
    world = await startEvmDepositWorld(kind);
    alice = await createAccount(world.database.db);
    await world.linkWallet(alice, 1);
    await syncEvmChain(world.deps());
  });
  afterAll(async () => {
    await world?.stop();
  });

  it("credits USDC and ETH only once they have the required confirmations, at the feed price", async () => {
    const before = await world.balance(alice);
    const usdcTx = await world.sendUsdc(1, 25_500_000n);
    const ethTx = await world.sendEth(1, parseEther("0.01"));
    await syncEvmChain(world.deps());
    expect((await world.rows(usdcTx))[0]?.status).toBe("seen");
    expect((await world.rows(ethTx))[0]?.status).toBe("seen");
    expect(await world.balance(alice)).toBe(before);

    await world.anvil.mine(1);
    await syncEvmChain(world.deps());
    // USDC's block now has 3 confirmations, the ETH block only 2.
    expect((await world.rows(usdcTx))[0]?.status).toBe("credited");
    expect((await world.rows(ethTx))[0]).toMatchObject({ status: "seen", confirmations: 2 });
    expect(await world.balance(alice)).toBe(before + 25_500_000_000n);
    await world.anvil.mine(1);
    await syncEvmChain(world.deps());
    const usdcRow = (await world.rows(usdcTx))[0];
    const ethRow = (await world.rows(ethTx))[0];
    expect(usdcRow).toMatchObject({ status: "credited", accountId: alice, attribution: "wallet", valueNano: 25_500_000_000n, rateAnswer: null });
    // 0.01 ETH at $2000 = $20, rate stored with the credit
    expect(ethRow).toMatchObject({ status: "credited", valueNano: 20_000_000_000n, rateAnswer: 2_000_00000000n, rateDecimals: 8, rateRound: "1" });
    expect(await world.balance(alice)).toBe(before + 25_500_000_000n + 20_000_000_000n);
  });

  it("never credits a deposit that a reorg removes before it is deep enough", async () => {
    const before = await world.balance(alice);
    const tx = await world.sendUsdc(1, 7_000_000n);
    await syncEvmChain(world.deps());
    expect((await world.rows(tx))[0]?.status).toBe("seen");
    await world.anvil.testClient.request({ method: "anvil_reorg" as never, params: [1, []] as never });
    await world.anvil.mine(5);
    await syncEvmChain(world.deps());
    expect((await world.rows(tx))[0]?.status).toBe("orphaned");
    expect(await world.balance(alice)).toBe(before);
    const entries = await world.database.db.select().from(ledgerEntries).where(eq(ledgerEntries.accountId, alice));
    expect(entries.some((e) => (e.metadata as { tx?: string }).tx === tx)).toBe(false);
  });

  it("does not credit a reverted transaction", async () => {
    const before = await world.balance(alice);
    await world.anvil.testClient.setCode({ address: world.treasury, bytecode: artifact("RejectingReceiver").deployedBytecode });
    const hash = await world.anvil.wallet(1).sendTransaction({ to: world.treasury, value: parseEther("1"), gas: 100_000n });
    expect((await world.wait(hash)).status).toBe("reverted");
    await world.anvil.testClient.setCode({ address: world.treasury, bytecode: "0x" });
    await world.anvil.mine(5);
    await syncEvmChain(world.deps());
    expect((await world.rows(hash))[0]).toBeUndefined();
    expect(await world.balance(alice)).toBe(before);
  });

  it("credits every deposit exactly once across a crash mid-range, a restart and a second listener", async () => {
    const bob = await createAccount(world.database.db);
    await world.linkWallet(bob, 2);
    const txs: Hash[] = [];
    for (let i = 1n; i <= 6n; i += 1n) {
      txs.push(await world.sendUsdc(2, i * 1_000_000n));
      await world.anvil.mine(1);
    }
    await world.anvil.mine(3);
    // A listener that dies halfway through crediting a range: its transaction rolls back entirely.
    let calls = 0;
    const base = world.deps();
    const crashing: AssetValuer = async (asset, amount) => {
      calls += 1;
      if (calls === 3) throw new Error("process killed");
      return base.valuer(asset, amount);
    };
    await expect(syncEvmChain(world.deps({ valuer: crashing, sizer: new RangeSizer(8n) }))).rejects.toThrow("process killed");
    const creditedSoFar = await world.balance(bob);
    // Restart plus a second listener at the same time, both with small ranges.
    await Promise.all([syncEvmChain(world.deps({ sizer: new RangeSizer(2n) })), syncEvmChain(world.deps({ sizer: new RangeSizer(3n) }))]);
    await syncEvmChain(world.deps());
    expect(creditedSoFar).toBeLessThan(21_000_000_000n);
    expect(await world.balance(bob)).toBe(21_000_000_000n);
    const entries = await world.database.db.select().from(ledgerEntries).where(eq(ledgerEntries.accountId, bob));
    expect(entries).toHaveLength(6);
    for (const tx of txs) expect((await world.rows(tx))[0]?.status).toBe("credited");
    expect((await auditLedger(world.database.db)).ok).toBe(true);
  });

  it("parks a deposit from an unknown sender, then credits it to the account the admin assigns", async () => {
    const carol = await createAccount(world.database.db);
    const tx = await world.sendUsdc(3, 3_210_000n);
    await world.anvil.mine(3);
    await syncEvmChain(world.deps());
    const row = (await world.rows(tx))[0];
    expect(row).toMatchObject({ status: "unattributed", accountId: null, valueNano: 3_210_000_000n });
    expect(await assignDeposit(world.database.db, row!.id, carol, new Date())).toBe(true);
    expect(await assignDeposit(world.database.db, row!.id, carol, new Date())).toBe(false);
    expect(await world.balance(carol)).toBe(3_210_000_000n);
    expect((await world.rows(tx))[0]).toMatchObject({ status: "credited", attribution: "admin", accountId: carol });
  });

  it("matches an open intent by its exact amount", async () => {
    const dave = await createAccount(world.database.db);
    const intentId = newId("int");
    // Opened a second before the chain's head, by the chain's clock: an earlier anvil_reorg keeps the replaced blocks'
    // timestamps, leaving the chain behind the wall clock (measured 3.6 s behind after reorging a 3 s old block), so an
    // intent stamped by the wall clock could postdate the payment's block and rightly not match it.
    const head = await world.anvil.publicClient.getBlock();
    await world.database.db.insert(depositIntents).values({
      id: intentId,
      accountId: dave,
      chain: world.chain,
      asset: "USDC",
      amountBaseUnits: 10_000_001n,
      amountUsdNano: 10_000_000_000n,
      expiresAt: new Date(Date.now() + 3_600_000),
      createdAt: new Date(Number(head.timestamp) * 1000 - 1000),
    });
    const near = await world.sendUsdc(4, 10_000_002n); // off by one base unit: not the intent
    const exact = await world.sendUsdc(4, 10_000_001n);
    await world.anvil.mine(3);
    await syncEvmChain(world.deps());
    expect((await world.rows(near))[0]?.status).toBe("unattributed");
    expect((await world.rows(exact))[0]).toMatchObject({ status: "credited", attribution: "intent", intentId, accountId: dave });
    expect(await world.balance(dave)).toBe(10_000_001_000n);
    const [intent] = await world.database.db.select().from(depositIntents).where(eq(depositIntents.id, intentId));
    expect(intent).toMatchObject({ status: "matched" });
  });

  it("parks a deposit whose intent had already expired, naming the intent for the admin", async () => {
    const erin = await createAccount(world.database.db);
    const intentId = newId("int");
    await world.database.db.insert(depositIntents).values({
      id: intentId,
      accountId: erin,
      chain: world.chain,
      asset: "USDC",
      amountBaseUnits: 5_000_003n,
      amountUsdNano: 5_000_000_000n,
      status: "expired",
      expiresAt: new Date(Date.now() - 60_000),
      createdAt: new Date(Date.now() - 3_600_000),
    });
    const tx = await world.sendUsdc(4, 5_000_003n);
    await world.anvil.mine(3);
    await syncEvmChain(world.deps());
    expect((await world.rows(tx))[0]).toMatchObject({ status: "unattributed", intentId, accountId: null });
    expect(await world.balance(erin)).toBe(0n);
  });

  it.runIf(kind === "postgres")("keeps a second listener idle while another process holds the chain's lock", async () => {
    await world.sendUsdc(1, 1_000_000n);
    await world.anvil.mine(3);
    const result = await atomically(world.database.db, async (tx) => {
      expect(await tryChainLock(tx, world.chain)).toBe(true);
      return creditNextChunk(world.deps());
    });
    expect(result.kind).toBe("locked_elsewhere");
    const credited = await syncEvmChain(world.deps()); // once the lock is free, the same work goes through
    expect(credited.kind === "advanced" || credited.kind === "idle").toBe(true);
  });

  it("delays crediting while the price is stale, then credits at the fresh price", async () => {
    const before = await world.balance(alice);
    await world.setPrice(2_500_00000000n, nowSeconds() - 3_600n);
    const tx = await world.sendEth(1, parseEther("0.02"));
    await world.anvil.mine(3);
    const result = await syncEvmChain(world.deps());
    expect(result.kind).toBe("stalled");
    expect((await world.rows(tx))[0]?.status).toBe("seen");
    expect(await world.balance(alice)).toBe(before);
    await world.setPrice(2_500_00000000n, nowSeconds());
    await world.anvil.mine(3);
    await syncEvmChain(world.deps());
    expect((await world.rows(tx))[0]).toMatchObject({ status: "credited", valueNano: 50_000_000_000n, rateRound: "3" });
    expect(await world.balance(alice)).toBe(before + 50_000_000_000n);
  });

  it("steps the cursor back and rescans when a reorg replaces the cursor's own block", async () => {
    const before = await world.balance(alice);
    await syncEvmChain(world.deps());
    const tx = await world.sendUsdc(1, 2_000_000n);
    await world.anvil.mine(3);
    await syncEvmChain(world.deps({ confirmations: 1 }));
    expect((await world.rows(tx))[0]?.status).toBe("credited");
    // Replace the last 6 blocks (deeper than the cursor) with empty ones.
    await world.anvil.testClient.request({ method: "anvil_reorg" as never, params: [6, []] as never });
    const rewound = await creditNextChunk(world.deps({ confirmations: 1, rewindDepth: 8n }));
    expect(rewound.kind).toBe("rewound");
    await syncEvmChain(world.deps());
    const latest = await world.anvil.publicClient.getBlockNumber();
    const again = await creditNextChunk(world.deps());
    expect(again.kind).toBe("idle");
    if (again.kind === "idle") expect(again.cursor).toEqual({ block: latest - 2n, hash: (await world.anvil.publicClient.getBlock({ blockNumber: latest - 2n })).hash });
    // Rescanning the same heights never credits twice; the deposit whose transaction the reorg dropped is reversed.
    expect((await world.rows(tx))[0]?.status).toBe("reversed");
    expect(await world.balance(alice)).toBe(before);
  });

  it("one chunk at a time never passes the credit depth", async () => {
    const d = world.deps();
    await world.anvil.mine(2);
    let result = await creditNextChunk(d);
    while (result.kind === "advanced" && !result.caughtUp) result = await creditNextChunk(d);
    const latest = await world.anvil.publicClient.getBlockNumber();
    expect(result.kind === "idle" || result.kind === "advanced").toBe(true);
    if (result.kind === "idle" || result.kind === "advanced") expect(result.cursor.block).toBe(latest - 2n);
  });
});
