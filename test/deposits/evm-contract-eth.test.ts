/**
 * ETH from any sender — a plain account, a smart wallet executing a call, a batching contract, a
 * `.transfer()` — credited exactly once, through the DepositReceiver's logs and through call traces to
 * a plain treasury (both trace flavours anvil offers), across a replay from an old cursor and a shallow
 * reorg; the receiver's sweep credits nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { encodeFunctionData, getAddress, parseEther, type Address, type Hex } from "viem";
import { anvilAccount, artifact } from "../support/anvil.js";
import { startEvmDepositWorld, type EvmDepositWorld } from "../support/evm-deposits.js";
import { dbKinds } from "../support/db.js";
import type { NativeVia } from "../../src/chains/evm/native.js";
import { createAccount } from "../../src/ledger/index.js";
import { createSiweScheme } from "../../src/auth/siwe-scheme.js";
import { completeSignIn, issueChallenge } from "../../src/auth/sign-in.js";
import { setCursor } from "../../src/deposits/cursors.js";
import { runChainAudit } from "../../src/deposits/chain-audit-command.js";
import { evmChainSchema } from "../../src/config/chains-schema.js";
import { depositIntents, deposits } from "../../src/db/schema/index.js";
import { newId } from "../../src/domain/ids.js";

const walletAbi = artifact("OwnedWallet").abi;
const batcherAbi = artifact("PayoutBatcher").abi;
const receiverAbi = artifact("DepositReceiver").abi;
const RECEIVER_OWNER = 8;

/** The nano-USD a deposit of `wei` is credited at the world's 2,000 USD/ETH price. */
const usdNano = (wei: bigint) => (wei * 2_000n * 10n ** 9n) / 10n ** 18n;

type Mode = { name: string; receiver: boolean; nativeVia?: NativeVia };
const modes: Mode[] = [
  { name: "receiver contract", receiver: true },
  { name: "traces via debug_traceBlockByNumber", receiver: false, nativeVia: { kind: "traces", api: "debug_traceBlockByNumber" } },
  { name: "traces via trace_block", receiver: false, nativeVia: { kind: "traces", api: "trace_block" } },
];
const cases = modes.flatMap((mode) => dbKinds.map((kind) => [mode.name, kind, mode] as const));

describe.each(cases)("ETH from contracts, %s (%s)", (_name, kind, mode) => {
  let world: EvmDepositWorld;
  let smartWallet: Address;
  let batcher: Address;
  let bob: string;

  async function confirmAndSync() {
    await world.anvil.mine(3);
    expect(await world.sync()).not.toBeInstanceOf(Error);
  }
  async function allRows() {
    return world.database.db.select().from(deposits).where(eq(deposits.chain, world.chain));
  }
  /** A signed (not sent) call from the smart wallet's owner making it pay the treasury, so it can be broadcast again after a reorg. */
  async function signedSmartWalletPayment(value: bigint): Promise<Hex> {
    const owner = world.anvil.wallet(2);
    const request = await owner.prepareTransactionRequest({
      to: smartWallet,
      data: encodeFunctionData({ abi: walletAbi, functionName: "execute", args: [world.treasury, value, "0x"] }),
      gas: 200_000n,
    });
    return owner.signTransaction(request);
  }

  beforeAll(async () => {
    world = await startEvmDepositWorld(kind, mode.receiver ? { receiverOwner: anvilAccount(RECEIVER_OWNER).address } : { nativeVia: mode.nativeVia });
    smartWallet = getAddress(await world.anvil.deploy("OwnedWallet", [world.anvil.wallet(2).account.address]));
    batcher = getAddress(await world.anvil.deploy("PayoutBatcher"));
    await world.wait(await world.anvil.wallet(0).sendTransaction({ to: smartWallet, value: parseEther("1") }));
    expect(await world.sync()).not.toBeInstanceOf(Error);
  });
  afterAll(async () => {
    await world?.stop();
  });

  it("a plain account's payment is credited once to its linked wallet's account", async () => {
    const alice = await createAccount(world.database.db);
    await world.linkWallet(alice, 1);
    const hash = await world.anvil.wallet(1).sendTransaction({ to: world.treasury, value: parseEther("0.01") });
    expect((await world.wait(hash)).status).toBe("success");
    await confirmAndSync();
    const rows = await world.rows(hash);
    expect(rows).toMatchObject([{ status: "credited", accountId: alice, asset: "ETH", amountBaseUnits: parseEther("0.01"), fromAddress: getAddress(world.anvil.wallet(1).account.address) }]);
    if (!mode.receiver) expect(rows[0]?.logIndex).toBe(-1); // a top-level payment keeps the key it always had
    expect(await world.balance(alice)).toBe(usdNano(parseEther("0.01")));
  });

  it("a smart wallet's payment (an inner call) is credited to the account that signed in with that smart wallet (ERC-1271)", async () => {
    const scheme = createSiweScheme({
      site: { domain: "pay.example.com", uri: "https://pay.example.com/login", statement: "Sign in." },
      chainIds: [world.anvil.chainId],
      challengeTtlMs: 60_000,
      clientFor: () => world.anvil.publicClient,
    });
    const now = new Date();
    const challenge = await issueChallenge(world.database.db, scheme, { address: smartWallet }, now, 60_000, 100);
    const signature = await world.anvil.wallet(2).account.signMessage!({ message: challenge.message });
    const signedIn = await completeSignIn(world.database.db, [scheme], { message: challenge.message, signature }, now);
    expect(signedIn).toMatchObject({ address: smartWallet, isNewAccount: true });
    bob = signedIn.accountId;

    const hash = await world.anvil.wallet(2).writeContract({ address: smartWallet, abi: walletAbi, functionName: "execute", args: [world.treasury, parseEther("0.02"), "0x"] });
    expect((await world.wait(hash)).status).toBe("success");
    await confirmAndSync();
    expect(await world.rows(hash)).toMatchObject([{ status: "credited", accountId: bob, attribution: "wallet", fromAddress: smartWallet, amountBaseUnits: parseEther("0.02") }]);
    expect(await world.balance(bob)).toBe(usdNano(parseEther("0.02")));
  });

  it("a batch of payouts in one transaction: each is a deposit, the reverted one is none; an intent attributes its exact amount, the rest is parked with its sender", async () => {
    const carol = await createAccount(world.database.db);
    const now = Date.now();
    const intentId = newId("int");
    await world.database.db.insert(depositIntents).values({
      id: intentId,
      accountId: carol,
      chain: world.chain,
      asset: "ETH",
      amountBaseUnits: parseEther("0.003"),
      amountUsdNano: usdNano(parseEther("0.003")),
      createdAt: new Date(now - 60_000),
      expiresAt: new Date(now + 3_600_000),
      status: "open",
    });
    const amounts = [parseEther("0.005"), parseEther("0.007"), parseEther("0.003")];
    const hash = await world.anvil.wallet(3).writeContract({
      address: batcher,
      abi: batcherAbi,
      functionName: "payouts",
      args: [world.treasury, amounts, 1n], // the second payout is paid, then its frame reverts
      value: parseEther("0.015"),
    });
    expect((await world.wait(hash)).status).toBe("success");
    await confirmAndSync();
    const rows = (await world.rows(hash)).sort((a, b) => (a.amountBaseUnits < b.amountBaseUnits ? -1 : 1));
    expect(rows).toMatchObject([
      { status: "credited", accountId: carol, attribution: "intent", intentId, fromAddress: batcher, amountBaseUnits: parseEther("0.003") },
      { status: "unattributed", accountId: null, fromAddress: batcher, amountBaseUnits: parseEther("0.005") },
    ]);
    // Two payments in one transaction are two keys; a trace-found one is placed by its value frame to the treasury.
    if (!mode.receiver) expect(rows.map((r) => r.logIndex).sort()).toEqual([-1, -3]);
    expect(await world.balance(carol)).toBe(usdNano(parseEther("0.003")));
  });

  it("the same amount paid twice in one transaction is two deposits", async () => {
    const twice = [parseEther("0.002"), parseEther("0.002")];
    const hash = await world.anvil.wallet(3).writeContract({ address: batcher, abi: batcherAbi, functionName: "payouts", args: [world.treasury, twice, 99n], value: parseEther("0.004") });
    expect((await world.wait(hash)).status).toBe("success");
    await confirmAndSync();
    const rows = await world.rows(hash);
    expect(rows).toHaveLength(2);
    expect(new Set(rows.map((r) => r.logIndex)).size).toBe(2);
    expect(rows.every((r) => r.amountBaseUnits === parseEther("0.002") && r.status === "unattributed")).toBe(true);
  });

  it("a payment with Solidity's transfer() (2,300-gas stipend) reaches the treasury and is seen", async () => {
    const hash = await world.anvil.wallet(4).writeContract({ address: batcher, abi: batcherAbi, functionName: "payWithTransfer", args: [world.treasury], value: parseEther("0.004") });
    expect((await world.wait(hash)).status).toBe("success");
    await confirmAndSync();
    expect(await world.rows(hash)).toMatchObject([{ status: "unattributed", fromAddress: batcher, amountBaseUnits: parseEther("0.004") }]);
  });

  it("re-reading every block from an old cursor (a restart, a replay) credits nothing twice", async () => {
    const before = (await allRows()).map((r) => `${r.txId}:${r.logIndex}:${r.status}`).sort();
    const bobBefore = await world.balance(bob);
    await setCursor(world.database.db, world.chain, { block: 0n, hash: (await world.anvil.publicClient.getBlock({ blockNumber: 0n })).hash }, new Date());
    expect(await world.sync({ pendingMemo: {} })).not.toBeInstanceOf(Error);
    expect((await allRows()).map((r) => `${r.txId}:${r.logIndex}:${r.status}`).sort()).toEqual(before);
    expect(await world.balance(bob)).toBe(bobBefore);
    expect((await world.audit()).problems).toEqual([]);
  });

  it("the operator's chain audit, deciding for itself how to read ETH, finds every contract payment on chain", async () => {
    const config = evmChainSchema.parse({
      chain_id: world.anvil.chainId,
      rpc_url: world.anvil.url,
      treasury: world.treasury,
      treasury_receiver: mode.receiver,
      confirmations: 3,
      assets: [{ symbol: "ETH", native: true }, { symbol: "USDC", address: world.usdc, decimals: 6 }],
    });
    // A plain treasury is audited through debug_traceBlockByNumber whichever flavour the listener used: the keys agree.
    const report = await runChainAudit(world.database.db, { evm: [config], solana: null }, () => new Date());
    expect(report.problems).toEqual([]);
    expect(report.depositsChecked).toBeGreaterThanOrEqual(3);
  });

  it("a shallow reorg: a smart-wallet payment seen, dropped and mined again in another block is credited once", async () => {
    const bobBefore = await world.balance(bob);
    const snapshot = await world.anvil.testClient.snapshot();
    const raw = await signedSmartWalletPayment(parseEther("0.006"));
    const hash = await world.anvil.publicClient.request({ method: "eth_sendRawTransaction", params: [raw] });
    const first = await world.wait(hash);
    expect(await world.sync()).not.toBeInstanceOf(Error);
    expect((await world.rows(hash)).map((r) => r.status)).toEqual(["seen"]);
    await world.anvil.testClient.revert({ id: snapshot });
    await world.anvil.mine(2);
    expect(await world.anvil.publicClient.request({ method: "eth_sendRawTransaction", params: [raw] })).toBe(hash);
    const again = await world.wait(hash);
    expect(again.blockNumber).not.toBe(first.blockNumber);
    await confirmAndSync();
    expect(await world.sync({ pendingMemo: {} })).not.toBeInstanceOf(Error); // and a restart
    const rows = await world.rows(hash);
    expect(rows).toMatchObject([{ status: "credited", accountId: bob, blockOrSlot: again.blockNumber, amountBaseUnits: parseEther("0.006") }]);
    expect(await world.balance(bob)).toBe(bobBefore + usdNano(parseEther("0.006")));
    expect((await world.audit()).problems).toEqual([]);
  });

  it.runIf(mode.receiver)("the owner's sweep moves the receiver's whole balance to the owner and credits nothing", async () => {
    const owner = world.anvil.wallet(RECEIVER_OWNER);
    const held = await world.anvil.publicClient.getBalance({ address: world.treasury });
    expect(held).toBeGreaterThan(0n);
    const stranger = world.anvil.wallet(5).writeContract({ address: world.treasury, abi: receiverAbi, functionName: "sweep", args: [world.anvil.wallet(5).account.address] });
    await expect(stranger).rejects.toThrow(/not owner/);
    const ownerBefore = await world.anvil.publicClient.getBalance({ address: owner.account.address });
    const rowsBefore = (await allRows()).length;
    const hash = await owner.writeContract({ address: world.treasury, abi: receiverAbi, functionName: "sweep", args: [owner.account.address] });
    const receipt = await world.wait(hash);
    expect(receipt.status).toBe("success");
    expect(await world.anvil.publicClient.getBalance({ address: world.treasury })).toBe(0n);
    const gas = receipt.gasUsed * receipt.effectiveGasPrice;
    expect(await world.anvil.publicClient.getBalance({ address: owner.account.address })).toBe(ownerBefore + held - gas);
    await confirmAndSync();
    expect(await world.rows(hash)).toEqual([]);
    expect((await allRows()).length).toBe(rowsBefore);
    expect((await world.audit()).problems).toEqual([]);
  });
});
