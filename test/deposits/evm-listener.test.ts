import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { getAddress, type Address } from "viem";
import { startAnvil, artifact, type Anvil } from "../support/anvil.js";
import { createTestDatabase, type TestDatabase } from "../support/db.js";
import { createEvmPublicClient, evmChainKey } from "../../src/chains/evm/client.js";
import { RangeSizer } from "../../src/chains/evm/range.js";
import { createEvmValuer } from "../../src/deposits/evm-valuer.js";
import { runEvmListener } from "../../src/workers/evm-listener.js";
import { createAccount, getBalance } from "../../src/ledger/index.js";
import { deposits, walletIdentities } from "../../src/db/schema/index.js";
import { newId } from "../../src/domain/ids.js";
import type { EvmSyncDeps } from "../../src/deposits/evm-sync.js";

const usdcAbi = artifact("MockUSDC").abi;
let anvil: Anvil;
let database: TestDatabase;
let usdc: Address;
const treasury = getAddress("0x00000000000000000000000000000000000a11ce");

beforeAll(async () => {
  anvil = await startAnvil();
  database = await createTestDatabase("pglite");
  usdc = await anvil.deploy("MockUSDC");
  const hash = await anvil.wallet(0).writeContract({ address: usdc, abi: usdcAbi, functionName: "mint", args: [anvil.wallet(1).account.address, 10n ** 12n] });
  await anvil.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 20 });
});
afterAll(async () => {
  await anvil?.stop();
  await database?.close();
});

function deps(): EvmSyncDeps {
  const client = createEvmPublicClient({ chainId: anvil.chainId, rpcUrl: anvil.url });
  return {
    db: database.db,
    client,
    watch: { chain: evmChainKey(anvil.chainId), treasury, tokens: [{ symbol: "USDC", address: usdc }] },
    confirmations: "finalized",
    sizer: new RangeSizer(100n),
    valuer: createEvmValuer([{ symbol: "USDC", decimals: 6 }], () => new Date()),
    now: () => new Date(),
    startBlock: 1n,
  };
}

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return false;
}

describe("EVM listener loop", () => {
  it("credits at finality, wakes on new heads sooner than its poll interval, and stops on abort", async () => {
    const account = await createAccount(database.db);
    await database.db.insert(walletIdentities).values({ id: newId("wal"), accountId: account, family: "evm", address: anvil.wallet(1).account.address });
    const controller = new AbortController();
    const d = deps();
    let passes = 0;
    const running = runEvmListener({
      deps: d,
      pollIntervalMs: 60_000, // only the head subscription can make it run again within the test
      signal: controller.signal,
      subscribeHeads: (onHead) => d.client.watchBlockNumber({ onBlockNumber: onHead, pollingInterval: 25, poll: true }),
      onPass: () => (passes += 1),
    });
    const hash = await anvil.wallet(1).writeContract({ address: usdc, abi: usdcAbi, functionName: "transfer", args: [treasury, 4_000_000n] });
    await anvil.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 20 });
    expect(await until(async () => (await database.db.select().from(deposits).where(eq(deposits.txId, hash)))[0]?.status === "seen", 5_000)).toBe(true);
    expect((await getBalance(database.db, account))!.balanceNano).toBe(0n);
    await anvil.mine(2); // finalized = latest - 2 here
    expect(await until(async () => (await getBalance(database.db, account))!.balanceNano === 4_000_000_000n, 5_000)).toBe(true);
    controller.abort();
    await running;
    const after = passes;
    await anvil.mine(3);
    await new Promise((r) => setTimeout(r, 200));
    expect(passes).toBe(after);
  });
});
