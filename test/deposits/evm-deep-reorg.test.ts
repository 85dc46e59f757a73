import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { encodeFunctionData, getAddress, type Hash } from "viem";
import { artifact } from "../support/anvil.js";
import { startEvmDepositWorld, type EvmDepositWorld } from "../support/evm-deposits.js";
import { dbKinds } from "../support/db.js";
import { createAccount } from "../../src/ledger/index.js";
import { ledgerEntries } from "../../src/db/schema/index.js";
import { MetricsRegistry } from "../../src/metrics/registry.js";
import { FareboxMetrics } from "../../src/metrics/farebox-metrics.js";
import { ledgerMetricSources } from "../../src/metrics/ledger-sources.js";
import { renderMetrics } from "../../src/metrics/exposition.js";

const usdcAbi = artifact("MockUSDC").abi;

describe.each(dbKinds)("a reorg deeper than the confirmation depth (%s)", (kind) => {
  let world: EvmDepositWorld;

  /** Signs (without sending) a USDC transfer to the treasury, so the very same transaction can be broadcast again after a reorg. */
  async function signedUsdcTransfer(walletIndex: number, amount: bigint): Promise<`0x${string}`> {
    const wallet = world.anvil.wallet(walletIndex);
    const request = await wallet.prepareTransactionRequest({
      to: world.usdc,
      data: encodeFunctionData({ abi: usdcAbi, functionName: "transfer", args: [world.treasury, amount] }),
      gas: 100_000n,
    });
    return wallet.signTransaction(request);
  }
  async function broadcast(raw: `0x${string}`): Promise<Hash> {
    return world.anvil.publicClient.request({ method: "eth_sendRawTransaction", params: [raw] });
  }
  async function syncUntilQuiet() {
    for (let pass = 0; pass < 4; pass += 1) expect(await world.sync()).not.toBeInstanceOf(Error);
  }
  async function entriesOf(accountId: string) {
    return world.database.db.select().from(ledgerEntries).where(eq(ledgerEntries.accountId, accountId));
  }

  beforeAll(async () => {
    world = await startEvmDepositWorld(kind);
    expect(await world.sync()).not.toBeInstanceOf(Error);
  });
  afterAll(async () => {
    await world?.stop();
  });

  it("credits a deposit re-included at another log index once: the same transfer, not a new one", async () => {
    const alice = await createAccount(world.database.db);
    await world.linkWallet(alice, 1);
    const snapshot = await world.anvil.testClient.snapshot();
    const rawC = await signedUsdcTransfer(1, 11_000_000n);
    const c = await broadcast(rawC);
    const before = await world.wait(c);
    await world.anvil.mine(5);
    await syncUntilQuiet();
    expect((await world.rows(c)).map((r) => r.status)).toEqual(["credited"]);
    // Revert 8 blocks; C comes back after another transfer to the treasury, so at another log index.
    await world.anvil.testClient.revert({ id: snapshot });
    await world.anvil.testClient.setAutomine(false);
    try {
      // A higher tip orders the other transfer first in the block.
      await world.anvil.wallet(2).writeContract({
        address: world.usdc,
        abi: usdcAbi,
        functionName: "transfer",
        args: [world.treasury, 2_000_000n],
        maxFeePerGas: 100_000_000_000n,
        maxPriorityFeePerGas: 50_000_000_000n,
      });
      await broadcast(rawC);
      await world.anvil.mine(1);
    } finally {
      await world.anvil.testClient.setAutomine(true);
    }
    const after = await world.wait(c);
    expect(after.blockHash).not.toBe(before.blockHash);
    expect(after.logs[0]?.logIndex).not.toBe(before.logs[0]?.logIndex);
    await world.anvil.mine(12);
    await syncUntilQuiet();
    const rows = await world.rows(c);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: "credited", logIndex: after.logs[0]?.logIndex, blockHash: after.blockHash });
    expect(await world.balance(alice)).toBe(11_000_000_000n);
    expect(await entriesOf(alice)).toHaveLength(1);
    expect((await world.audit()).problems).toEqual([]);
  });

  it("reverses a credited deposit whose transaction vanished: status, reversing entry, audit entry", async () => {
    const bob = await createAccount(world.database.db);
    await world.linkWallet(bob, 3);
    const reversed: string[] = [];
    const snapshot = await world.anvil.testClient.snapshot();
    const g = await world.sendUsdc(3, 9_000_000n);
    await world.anvil.mine(5);
    await syncUntilQuiet();
    expect((await world.rows(g)).map((r) => r.status)).toEqual(["credited"]);
    expect(await world.balance(bob)).toBe(9_000_000_000n);
    // Revert; G's nonce is spent by another transaction (USDC to someone else), so G can never return.
    await world.anvil.testClient.revert({ id: snapshot });
    const elsewhere = await world.anvil.wallet(3).writeContract({ address: world.usdc, abi: usdcAbi, functionName: "transfer", args: [getAddress("0x00000000000000000000000000000000000a11ce"), 9_000_000n] });
    await world.wait(elsewhere);
    await world.anvil.mine(12);
    for (let pass = 0; pass < 4; pass += 1) {
      expect(await world.sync({ onReversed: (id) => reversed.push(id) })).not.toBeInstanceOf(Error);
    }
    const [row] = await world.rows(g);
    expect(row).toMatchObject({ status: "reversed", accountId: bob });
    expect(reversed).toEqual([row!.id]);
    expect(await world.balance(bob)).toBe(0n);
    const entries = await entriesOf(bob);
    expect(entries.map((e) => e.amountNano).sort()).toEqual([-9_000_000_000n, 9_000_000_000n].sort());
    const audit = await world.audit();
    expect(audit.problems).toEqual([]);
    expect(audit.chain.reversed).toEqual([expect.stringContaining(g)]);
    const registry = new MetricsRegistry();
    new FareboxMetrics(registry, ledgerMetricSources(world.database.db));
    expect(await renderMetrics(registry)).toContain(`farebox_deposits_reversed_total{chain="${world.chain}"} 1`);
  });

  it("credits a reversed deposit again, once, when its very transaction returns to the chain", async () => {
    const carol = await createAccount(world.database.db);
    await world.linkWallet(carol, 4);
    const snapshot = await world.anvil.testClient.snapshot();
    const raw = await signedUsdcTransfer(4, 4_000_000n);
    const r = await broadcast(raw);
    await world.wait(r);
    await world.anvil.mine(5);
    await syncUntilQuiet();
    await world.anvil.testClient.revert({ id: snapshot });
    await world.anvil.mine(12);
    await syncUntilQuiet();
    expect((await world.rows(r)).map((row) => row.status)).toEqual(["reversed"]);
    expect(await world.balance(carol)).toBe(0n);
    await broadcast(raw);
    await world.anvil.mine(5);
    await syncUntilQuiet();
    await syncUntilQuiet();
    expect((await world.rows(r)).map((row) => row.status)).toEqual(["credited"]);
    expect(await world.balance(carol)).toBe(4_000_000_000n);
    expect(await entriesOf(carol)).toHaveLength(3);
    expect((await world.audit()).problems).toEqual([]);
  });
});
