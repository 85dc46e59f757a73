import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getAddress, parseEther, type Address } from "viem";
import { startAnvil, artifact, type Anvil } from "../../support/anvil.js";
import { startRpcProxy } from "../../support/rpc-proxy.js";
import { createEvmPublicClient, evmChainKey } from "../../../src/chains/evm/client.js";
import { readDeposits, creditableHead, cursorIsCanonical, blockHashAt, type EvmWatch } from "../../../src/chains/evm/scanner.js";
import { RangeSizer, readBounded } from "../../../src/chains/evm/range.js";

const TREASURY = getAddress("0x000000000000000000000000000000000000bEEF");
let anvil: Anvil;
let usdc: Address;
let otherToken: Address;
let watch: EvmWatch;
const usdcAbi = artifact("MockUSDC").abi;

async function send(index: number, request: Parameters<ReturnType<Anvil["wallet"]>["sendTransaction"]>[0]) {
  const hash = await anvil.wallet(index).sendTransaction(request);
  await anvil.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 20 });
  return hash;
}

beforeAll(async () => {
  anvil = await startAnvil();
  usdc = await anvil.deploy("MockUSDC");
  otherToken = await anvil.deploy("MockUSDC");
  watch = { chain: evmChainKey(anvil.chainId), treasury: TREASURY, tokens: [{ symbol: "USDC", address: usdc }], nativeSymbol: "ETH" };
});
afterAll(async () => {
  await anvil?.stop();
});

describe("EVM deposit scanner", () => {
  it("reads allowlisted token transfers and successful native transfers to the treasury, nothing else", async () => {
    const sender = anvil.wallet(1);
    const start = (await anvil.publicClient.getBlockNumber()) + 1n;
    const mint = async (token: Address, to: Address, amount: bigint) => {
      const hash = await anvil.wallet(0).writeContract({ address: token, abi: usdcAbi, functionName: "mint", args: [to, amount] });
      await anvil.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 20 });
    };
    await mint(usdc, sender.account.address, 100_000_000n);
    await mint(otherToken, sender.account.address, 100_000_000n);
    const usdcHash = await sender.writeContract({ address: usdc, abi: usdcAbi, functionName: "transfer", args: [TREASURY, 12_345_678n] });
    await anvil.publicClient.waitForTransactionReceipt({ hash: usdcHash, pollingInterval: 20 });
    // Same event from a token that is not allowlisted: ignored.
    const otherHash = await sender.writeContract({ address: otherToken, abi: usdcAbi, functionName: "transfer", args: [TREASURY, 5n] });
    await anvil.publicClient.waitForTransactionReceipt({ hash: otherHash, pollingInterval: 20 });
    // USDC to someone else: ignored.
    await sender.writeContract({ address: usdc, abi: usdcAbi, functionName: "transfer", args: [anvil.wallet(2).account.address, 7n] });
    const ethHash = await send(1, { to: TREASURY, value: parseEther("0.25") });
    // A native transfer that is mined but reverts (treasury temporarily has rejecting code): ignored.
    await anvil.testClient.setCode({ address: TREASURY, bytecode: artifact("RejectingReceiver").deployedBytecode });
    const revertedHash = await anvil.wallet(1).sendTransaction({ to: TREASURY, value: parseEther("1"), gas: 100_000n });
    const reverted = await anvil.publicClient.waitForTransactionReceipt({ hash: revertedHash, pollingInterval: 20 });
    expect(reverted.status).toBe("reverted");
    await anvil.testClient.setCode({ address: TREASURY, bytecode: "0x" });
    const end = await anvil.publicClient.getBlockNumber();

    const client = createEvmPublicClient({ chainId: anvil.chainId, rpcUrl: anvil.url });
    const observations = await readDeposits(client, watch, start, end);
    expect(observations.map((o) => [o.asset, o.txId, o.amountBaseUnits])).toEqual([
      ["USDC", usdcHash, 12_345_678n],
      ["ETH", ethHash, parseEther("0.25")],
    ]);
    const [token, native] = observations;
    expect(token!.from).toBe(sender.account.address);
    expect(token!.to).toBe(TREASURY);
    expect(token!.index).toBeGreaterThanOrEqual(0);
    expect(native!.index).toBe(-1);
    expect(token!.blockHash).toBe(await blockHashAt(client, token!.blockOrSlot));
  });

  it("credits only to the configured depth: finalized is latest-2 here, a count is latest-N+1", async () => {
    const client = createEvmPublicClient({ chainId: anvil.chainId, rpcUrl: anvil.url });
    await anvil.mine(5);
    const latest = await client.getBlockNumber();
    expect(await creditableHead(client, "finalized")).toEqual({ target: latest - 2n, latest });
    expect(await creditableHead(client, 3)).toEqual({ target: latest - 2n, latest });
    expect(await creditableHead(client, 1)).toEqual({ target: latest, latest });
  });

  it("reads every deposit in bounded ranges without ever asking a provider for a range of logs", async () => {
    const sender = anvil.wallet(3);
    const start = (await anvil.publicClient.getBlockNumber()) + 1n;
    const hashes = [];
    for (let i = 0; i < 3; i += 1) {
      hashes.push(await send(3, { to: TREASURY, value: BigInt(i + 1) }));
      await anvil.mine(4);
    }
    void sender;
    const end = await anvil.publicClient.getBlockNumber();
    const proxy = await startRpcProxy(anvil.url, { maxLogRange: 4n });
    try {
      const client = createEvmPublicClient({ chainId: anvil.chainId, rpcUrl: proxy.url, retryCount: 0 });
      const sizer = new RangeSizer(64n);
      const seen = [];
      for (let from = start; from <= end; ) {
        const { to, value } = await readBounded(sizer, from, end, (a, b) => readDeposits(client, watch, a, b));
        seen.push(...value);
        from = to + 1n;
      }
      expect(seen.map((o) => o.txId)).toEqual(hashes);
      // Logs are read per block by hash (only where the bloom admits a transfer), so no range is ever refused.
      expect(proxy.getLogsCalls).toEqual([]);
    } finally {
      await proxy.stop();
    }
  });

  it("detects a reorg by block hash: a replaced cursor block is no longer canonical", async () => {
    const client = createEvmPublicClient({ chainId: anvil.chainId, rpcUrl: anvil.url });
    await anvil.mine(3);
    const head = await client.getBlockNumber();
    const cursor = { block: head, hash: (await blockHashAt(client, head))! };
    expect(await cursorIsCanonical(client, cursor)).toBe(true);
    await anvil.testClient.request({ method: "anvil_reorg" as never, params: [2, []] as never });
    expect(await client.getBlockNumber()).toBe(head);
    expect(await cursorIsCanonical(client, cursor)).toBe(false);
  });
});
