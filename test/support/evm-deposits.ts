/**
 * One EVM deposit scenario's world: anvil with a mock USDC and price feed, a fresh database, a treasury,
 * and helpers to pay in USDC or ETH, run the listener through any RPC URL (e.g. a fault-injecting proxy),
 * read deposit rows and balances, and run both audits (the ledger's own and the chain reconciliation).
 */
import { and, eq } from "drizzle-orm";
import { getAddress, type Address, type Hash, type TransactionReceipt } from "viem";
import { artifact, startAnvil, type Anvil } from "./anvil.js";
import { createTestDatabase, type DbKind, type TestDatabase } from "./db.js";
import { createEvmPublicClient, evmChainKey } from "../../src/chains/evm/client.js";
import { RangeSizer } from "../../src/chains/evm/range.js";
import type { EvmWatch } from "../../src/chains/evm/scanner.js";
import type { NativeVia } from "../../src/chains/evm/native.js";
import { syncEvmChain, type EvmSyncDeps, type SyncResult } from "../../src/deposits/evm-sync.js";
import { createEvmValuer } from "../../src/deposits/evm-valuer.js";
import { auditDepositsAgainstChains, type ChainAuditReport } from "../../src/deposits/chain-audit.js";
import { auditLedger, getBalance } from "../../src/ledger/index.js";
import { deposits, walletIdentities } from "../../src/db/schema/index.js";
import { newId } from "../../src/domain/ids.js";

const usdcAbi = artifact("MockUSDC").abi;
const feedAbi = artifact("MockAggregator").abi;

export interface EvmDepositWorld {
  anvil: Anvil;
  database: TestDatabase;
  usdc: Address;
  feed: Address;
  treasury: Address;
  chain: string;
  watch: EvmWatch;
  /** Listener dependencies reading through `rpcUrl` (default: anvil directly). */
  deps(options?: { rpcUrl?: string } & Partial<EvmSyncDeps>): EvmSyncDeps;
  /** One listener pass; a pass that fails (as against a bad node) is returned as its error. */
  sync(options?: { rpcUrl?: string } & Partial<EvmSyncDeps>): Promise<SyncResult | Error>;
  /** Waits for a transaction's receipt (mined, whether it succeeded or reverted). */
  wait(hash: Hash): Promise<TransactionReceipt>;
  sendUsdc(walletIndex: number, amount: bigint): Promise<Hash>;
  /** Sends ETH from a wallet straight to the treasury. */
  sendEth(walletIndex: number, value: bigint): Promise<Hash>;
  /** Sends several USDC transfers that are mined together in one block. */
  sendUsdcInOneBlock(walletIndex: number, amounts: bigint[]): Promise<Hash[]>;
  setPrice(answer: bigint, updatedAt: bigint): Promise<void>;
  linkWallet(accountId: string, walletIndex: number): Promise<void>;
  rows(txId: string): Promise<(typeof deposits.$inferSelect)[]>;
  balance(accountId: string): Promise<bigint>;
  /** The ledger audit and the chain audit together; problems of both. */
  audit(): Promise<{ ok: boolean; problems: string[]; chain: ChainAuditReport }>;
  stop(): Promise<void>;
}

/** Starts anvil and a database of `kind`, deploys USDC and a feed, funds wallets 1–5 with 1,000 USDC each. */
export async function startEvmDepositWorld(
  kind: DbKind,
  options: { confirmations?: number; receiverOwner?: Address; nativeVia?: NativeVia } = {},
): Promise<EvmDepositWorld> {
  const anvil = await startAnvil();
  const database = await createTestDatabase(kind);
  const chain = evmChainKey(anvil.chainId);
  // With a receiver owner, the treasury is a DepositReceiver contract (ETH read from its logs); else a plain address.
  const treasury = options.receiverOwner
    ? getAddress(await anvil.deploy("DepositReceiver", [options.receiverOwner]))
    : getAddress("0x000000000000000000000000000000000000fEEd");
  const usdc = await anvil.deploy("MockUSDC");
  const feed = await anvil.deploy("MockAggregator");
  const wait = (hash: Hash) => anvil.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 20 });
  const setPrice = async (answer: bigint, updatedAt: bigint) => {
    await wait(await anvil.wallet(0).writeContract({ address: feed, abi: feedAbi, functionName: "setRound", args: [answer, updatedAt] }));
  };
  await setPrice(2_000_00000000n, BigInt(Math.floor(Date.now() / 1000)));
  for (const i of [1, 2, 3, 4, 5]) {
    await wait(await anvil.wallet(0).writeContract({ address: usdc, abi: usdcAbi, functionName: "mint", args: [anvil.wallet(i).account.address, 1_000_000_000n] }));
  }
  const nativeVia: NativeVia = options.receiverOwner ? { kind: "receiver" } : (options.nativeVia ?? { kind: "top_level" });
  const watch: EvmWatch = { chain, treasury, tokens: [{ symbol: "USDC", address: usdc }], nativeSymbol: "ETH", nativeVia };
  const pendingMemo = {};
  const deps = (overrides: { rpcUrl?: string } & Partial<EvmSyncDeps> = {}): EvmSyncDeps => {
    const client = createEvmPublicClient({ chainId: anvil.chainId, rpcUrl: overrides.rpcUrl ?? anvil.url, retryCount: 0 });
    const { rpcUrl: _ignored, ...rest } = overrides;
    void _ignored;
    return {
      db: database.db,
      client,
      watch,
      confirmations: options.confirmations ?? 3,
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
      ...rest,
    };
  };
  const directClient = createEvmPublicClient({ chainId: anvil.chainId, rpcUrl: anvil.url });
  return {
    anvil,
    database,
    usdc,
    feed,
    treasury,
    chain,
    watch,
    deps,
    wait,
    setPrice,
    sync: async (overrides) => {
      try {
        return await syncEvmChain(deps(overrides));
      } catch (error) {
        return error instanceof Error ? error : new Error(String(error));
      }
    },
    sendUsdc: async (walletIndex, amount) => {
      const hash = await anvil.wallet(walletIndex).writeContract({ address: usdc, abi: usdcAbi, functionName: "transfer", args: [treasury, amount] });
      await wait(hash);
      return hash;
    },
    sendEth: async (walletIndex, value) => {
      const hash = await anvil.wallet(walletIndex).sendTransaction({ to: treasury, value });
      await wait(hash);
      return hash;
    },
    sendUsdcInOneBlock: async (walletIndex, amounts) => {
      await anvil.testClient.setAutomine(false);
      const hashes: Hash[] = [];
      try {
        for (const amount of amounts) {
          hashes.push(await anvil.wallet(walletIndex).writeContract({ address: usdc, abi: usdcAbi, functionName: "transfer", args: [treasury, amount] }));
        }
        await anvil.mine(1);
      } finally {
        await anvil.testClient.setAutomine(true);
      }
      for (const hash of hashes) await wait(hash);
      return hashes;
    },
    linkWallet: async (accountId, walletIndex) => {
      await database.db.insert(walletIdentities).values({ id: newId("wal"), accountId, family: "evm", address: getAddress(anvil.wallet(walletIndex).account.address) });
    },
    rows: (txId) => database.db.select().from(deposits).where(and(eq(deposits.chain, chain), eq(deposits.txId, txId))),
    balance: async (accountId) => (await getBalance(database.db, accountId))!.balanceNano,
    audit: async () => {
      const ledger = await auditLedger(database.db);
      const chainReport = await auditDepositsAgainstChains(database.db, [{ client: directClient, watch }]);
      return { ok: ledger.ok && chainReport.ok, problems: [...ledger.problems, ...chainReport.problems], chain: chainReport };
    },
    stop: async () => {
      await anvil.stop();
      await database.close();
    },
  };
}
