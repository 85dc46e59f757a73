import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { getAddress, parseEther, type Address, type Hash } from "viem";
import { startAnvil, artifact, type Anvil } from "../support/anvil.js";
import { createTestDatabase, dbKinds, type TestDatabase } from "../support/db.js";
import { createEvmPublicClient, evmChainKey } from "../../src/chains/evm/client.js";
import { RangeSizer } from "../../src/chains/evm/range.js";
import { creditNextChunk, syncEvmChain, type EvmSyncDeps } from "../../src/deposits/evm-sync.js";
import { createEvmValuer } from "../../src/deposits/evm-valuer.js";
import { assignDeposit } from "../../src/deposits/credit.js";
import { createAccount, getBalance, auditLedger } from "../../src/ledger/index.js";
import { deposits, depositIntents, ledgerEntries, walletIdentities } from "../../src/db/schema/index.js";
import { newId } from "../../src/domain/ids.js";
import type { AssetValuer } from "../../src/deposits/types.js";
import { atomically } from "../../src/db/atomic.js";
import { tryChainLock } from "../../src/deposits/cursors.js";

const usdcAbi = artifact("MockUSDC").abi;
const feedAbi = artifact("MockAggregator").abi;

describe.each(dbKinds)("EVM deposits credited exactly once (%s)", (kind) => {
  let anvil: Anvil;
  let database: TestDatabase;
  let usdc: Address;
  let feed: Address;
  let treasury: Address;
  let chain: string;
  let alice: string;
  const pendingMemo = {};

  const nowSeconds = () => BigInt(Math.floor(Date.now() / 1000));

  async function wait(hash: Hash) {
    return anvil.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 20 });
  }
  async function sendUsdc(walletIndex: number, amount: bigint) {
    const hash = await anvil.wallet(walletIndex).writeContract({ address: usdc, abi: usdcAbi, functionName: "transfer", args: [treasury, amount] });
    await wait(hash);
    return hash;
  }
  async function sendEth(walletIndex: number, value: bigint) {
    const hash = await anvil.wallet(walletIndex).sendTransaction({ to: treasury, value });
    await wait(hash);
    return hash;
  }
  async function setPrice(answer: bigint, updatedAt: bigint) {
    await wait(await anvil.wallet(0).writeContract({ address: feed, abi: feedAbi, functionName: "setRound", args: [answer, updatedAt] }));
  }
  function deps(overrides: Partial<EvmSyncDeps> = {}): EvmSyncDeps {
    const client = createEvmPublicClient({ chainId: anvil.chainId, rpcUrl: anvil.url });
    return {
      db: database.db,
      client,
      watch: { chain, treasury, tokens: [{ symbol: "USDC", address: usdc }], nativeSymbol: "ETH" },
      confirmations: 3,
      sizer: new RangeSizer(50n),
      valuer: createEvmValuer(
        [
          { symbol: "USDC", decimals: 6 },
          { symbol: "ETH", decimals: 18, feed: { client, address: feed, maxAgeSeconds: 600 } },
        ],
        () => new Date(),
      ),
      now: () => new Date(),
      startBlock: 1n,
      pendingMemo,
      ...overrides,
    };
  }
  async function linkWallet(accountId: string, address: string) {
    await database.db.insert(walletIdentities).values({ id: newId("wal"), accountId, family: "evm", address: getAddress(address) });
  }
  async function depositRow(txId: string) {
    const [row] = await database.db.select().from(deposits).where(and(eq(deposits.chain, chain), eq(deposits.txId, txId)));
    return row;
  }
  async function balance(accountId: string) {
    return (await getBalance(database.db, accountId))!.balanceNano;
  }

  beforeAll(async () => {
    anvil = await startAnvil();
    database = await createTestDatabase(kind);
    chain = evmChainKey(anvil.chainId);
    treasury = getAddress("0x000000000000000000000000000000000000fEEd");
    usdc = await anvil.deploy("MockUSDC");
    feed = await anvil.deploy("MockAggregator");
    await setPrice(2_000_00000000n, nowSeconds());
    for (const i of [1, 2, 3, 4]) {
      await wait(await anvil.wallet(0).writeContract({ address: usdc, abi: usdcAbi, functionName: "mint", args: [anvil.wallet(i).account.address, 1_000_000_000n] }));
    }
    alice = await createAccount(database.db);
    await linkWallet(alice, anvil.wallet(1).account.address);
    await syncEvmChain(deps());
  });
  afterAll(async () => {
    await anvil?.stop();
    await database?.close();
  });

  it("credits USDC and ETH only once they have the required confirmations, at the feed price", async () => {
    const before = await balance(alice);
    const usdcTx = await sendUsdc(1, 25_500_000n);
    const ethTx = await sendEth(1, parseEther("0.01"));
    await syncEvmChain(deps());
    expect((await depositRow(usdcTx))?.status).toBe("seen");
    expect((await depositRow(ethTx))?.status).toBe("seen");
    expect(await balance(alice)).toBe(before);

    await anvil.mine(1);
    await syncEvmChain(deps());
    // USDC's block now has 3 confirmations, the ETH block only 2.
    expect((await depositRow(usdcTx))?.status).toBe("credited");
    expect(await depositRow(ethTx)).toMatchObject({ status: "seen", confirmations: 2 });
    expect(await balance(alice)).toBe(before + 25_500_000_000n);
    await anvil.mine(1);
    await syncEvmChain(deps());
    const usdcRow = await depositRow(usdcTx);
    const ethRow = await depositRow(ethTx);
    expect(usdcRow).toMatchObject({ status: "credited", accountId: alice, attribution: "wallet", valueNano: 25_500_000_000n, rateAnswer: null });
    // 0.01 ETH at $2000 = $20, rate stored with the credit
    expect(ethRow).toMatchObject({ status: "credited", valueNano: 20_000_000_000n, rateAnswer: 2_000_00000000n, rateDecimals: 8, rateRound: "1" });
    expect(await balance(alice)).toBe(before + 25_500_000_000n + 20_000_000_000n);
  });

  it("never credits a deposit that a reorg removes before it is deep enough", async () => {
    const before = await balance(alice);
    const tx = await sendUsdc(1, 7_000_000n);
    await syncEvmChain(deps());
    expect((await depositRow(tx))?.status).toBe("seen");
    await anvil.testClient.request({ method: "anvil_reorg" as never, params: [1, []] as never });
    await anvil.mine(5);
    await syncEvmChain(deps());
    expect((await depositRow(tx))?.status).toBe("orphaned");
    expect(await balance(alice)).toBe(before);
    const entries = await database.db.select().from(ledgerEntries).where(eq(ledgerEntries.accountId, alice));
    expect(entries.some((e) => (e.metadata as { tx?: string }).tx === tx)).toBe(false);
  });

  it("does not credit a reverted transaction", async () => {
    const before = await balance(alice);
    await anvil.testClient.setCode({ address: treasury, bytecode: artifact("RejectingReceiver").deployedBytecode });
    const hash = await anvil.wallet(1).sendTransaction({ to: treasury, value: parseEther("1"), gas: 100_000n });
    expect((await wait(hash)).status).toBe("reverted");
    await anvil.testClient.setCode({ address: treasury, bytecode: "0x" });
    await anvil.mine(5);
    await syncEvmChain(deps());
    expect(await depositRow(hash)).toBeUndefined();
    expect(await balance(alice)).toBe(before);
  });

  it("credits every deposit exactly once across a crash mid-range, a restart and a second listener", async () => {
    const bob = await createAccount(database.db);
    await linkWallet(bob, anvil.wallet(2).account.address);
    const txs: Hash[] = [];
    for (let i = 1n; i <= 6n; i += 1n) {
      txs.push(await sendUsdc(2, i * 1_000_000n));
      await anvil.mine(1);
    }
    await anvil.mine(3);
    // A listener that dies halfway through crediting a range: its transaction rolls back entirely.
    let calls = 0;
    const base = deps();
    const crashing: AssetValuer = async (asset, amount) => {
      calls += 1;
      if (calls === 3) throw new Error("process killed");
      return base.valuer(asset, amount);
    };
    await expect(syncEvmChain(deps({ valuer: crashing, sizer: new RangeSizer(8n) }))).rejects.toThrow("process killed");
    const creditedSoFar = await balance(bob);
    // Restart plus a second listener at the same time, both with small ranges.
    await Promise.all([syncEvmChain(deps({ sizer: new RangeSizer(2n) })), syncEvmChain(deps({ sizer: new RangeSizer(3n) }))]);
    await syncEvmChain(deps());
    expect(creditedSoFar).toBeLessThan(21_000_000_000n);
    expect(await balance(bob)).toBe(21_000_000_000n);
    const entries = await database.db.select().from(ledgerEntries).where(eq(ledgerEntries.accountId, bob));
    expect(entries).toHaveLength(6);
    for (const tx of txs) expect((await depositRow(tx))?.status).toBe("credited");
    expect((await auditLedger(database.db)).ok).toBe(true);
  });

  it("parks a deposit from an unknown sender, then credits it to the account the admin assigns", async () => {
    const carol = await createAccount(database.db);
    const tx = await sendUsdc(3, 3_210_000n);
    await anvil.mine(3);
    await syncEvmChain(deps());
    const row = await depositRow(tx);
    expect(row).toMatchObject({ status: "unattributed", accountId: null, valueNano: 3_210_000_000n });
    expect(await assignDeposit(database.db, row!.id, carol, new Date())).toBe(true);
    expect(await assignDeposit(database.db, row!.id, carol, new Date())).toBe(false);
    expect(await balance(carol)).toBe(3_210_000_000n);
    expect(await depositRow(tx)).toMatchObject({ status: "credited", attribution: "admin", accountId: carol });
  });

  it("matches an open intent by its exact amount", async () => {
    const dave = await createAccount(database.db);
    const intentId = newId("int");
    await database.db.insert(depositIntents).values({
      id: intentId,
      accountId: dave,
      chain,
      asset: "USDC",
      amountBaseUnits: 10_000_001n,
      amountUsdNano: 10_000_000_000n,
      expiresAt: new Date(Date.now() + 3_600_000),
      createdAt: new Date(Date.now() - 1000),
    });
    const near = await sendUsdc(4, 10_000_002n); // off by one base unit: not the intent
    const exact = await sendUsdc(4, 10_000_001n);
    await anvil.mine(3);
    await syncEvmChain(deps());
    expect((await depositRow(near))?.status).toBe("unattributed");
    expect(await depositRow(exact)).toMatchObject({ status: "credited", attribution: "intent", intentId, accountId: dave });
    expect(await balance(dave)).toBe(10_000_001_000n);
    const [intent] = await database.db.select().from(depositIntents).where(eq(depositIntents.id, intentId));
    expect(intent).toMatchObject({ status: "matched" });
  });

  it("parks a deposit whose intent had already expired, naming the intent for the admin", async () => {
    const erin = await createAccount(database.db);
    const intentId = newId("int");
    await database.db.insert(depositIntents).values({
      id: intentId,
      accountId: erin,
      chain,
      asset: "USDC",
      amountBaseUnits: 5_000_003n,
      amountUsdNano: 5_000_000_000n,
      status: "expired",
      expiresAt: new Date(Date.now() - 60_000),
      createdAt: new Date(Date.now() - 3_600_000),
    });
    const tx = await sendUsdc(4, 5_000_003n);
    await anvil.mine(3);
    await syncEvmChain(deps());
    expect(await depositRow(tx)).toMatchObject({ status: "unattributed", intentId, accountId: null });
    expect(await balance(erin)).toBe(0n);
  });

  it.runIf(kind === "postgres")("keeps a second listener idle while another process holds the chain's lock", async () => {
    await sendUsdc(1, 1_000_000n);
    await anvil.mine(3);
    const result = await atomically(database.db, async (tx) => {
      expect(await tryChainLock(tx, chain)).toBe(true);
      return creditNextChunk(deps());
    });
    expect(result.kind).toBe("locked_elsewhere");
    const credited = await syncEvmChain(deps()); // once the lock is free, the same work goes through
    expect(credited.kind === "advanced" || credited.kind === "idle").toBe(true);
  });

  it("delays crediting while the price is stale, then credits at the fresh price", async () => {
    const before = await balance(alice);
    await setPrice(2_500_00000000n, nowSeconds() - 3_600n);
    const tx = await sendEth(1, parseEther("0.02"));
    await anvil.mine(3);
    const result = await syncEvmChain(deps());
    expect(result.kind).toBe("stalled");
    expect((await depositRow(tx))?.status).toBe("seen");
    expect(await balance(alice)).toBe(before);
    await setPrice(2_500_00000000n, nowSeconds());
    await anvil.mine(3);
    await syncEvmChain(deps());
    expect(await depositRow(tx)).toMatchObject({ status: "credited", valueNano: 50_000_000_000n, rateRound: "3" });
    expect(await balance(alice)).toBe(before + 50_000_000_000n);
  });

  it("steps the cursor back and rescans when a reorg replaces the cursor's own block", async () => {
    const before = await balance(alice);
    await syncEvmChain(deps());
    const tx = await sendUsdc(1, 2_000_000n);
    await anvil.mine(3);
    await syncEvmChain(deps({ confirmations: 1 }));
    expect((await depositRow(tx))?.status).toBe("credited");
    // Replace the last 6 blocks (deeper than the cursor) with empty ones.
    await anvil.testClient.request({ method: "anvil_reorg" as never, params: [6, []] as never });
    const rewound = await creditNextChunk(deps({ confirmations: 1, rewindDepth: 8n }));
    expect(rewound.kind).toBe("rewound");
    await syncEvmChain(deps());
    const latest = await anvil.publicClient.getBlockNumber();
    const again = await creditNextChunk(deps());
    expect(again.kind).toBe("idle");
    if (again.kind === "idle") expect(again.cursor).toEqual({ block: latest - 2n, hash: (await anvil.publicClient.getBlock({ blockNumber: latest - 2n })).hash });
    // Rescanning the same heights never credits twice; the deposit whose transaction the reorg dropped is reversed.
    expect((await depositRow(tx))?.status).toBe("reversed");
    expect(await balance(alice)).toBe(before);
  });

  it("one chunk at a time never passes the credit depth", async () => {
    const d = deps();
    await anvil.mine(2);
    let result = await creditNextChunk(d);
    while (result.kind === "advanced" && !result.caughtUp) result = await creditNextChunk(d);
    const latest = await anvil.publicClient.getBlockNumber();
    expect(result.kind === "idle" || result.kind === "advanced").toBe(true);
    if (result.kind === "idle" || result.kind === "advanced") expect(result.cursor.block).toBe(latest - 2n);
  });
});
