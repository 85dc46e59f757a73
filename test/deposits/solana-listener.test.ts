import { Keypair, PublicKey, SystemProgram } from "@solana/web3.js";
import { eq } from "drizzle-orm";
import type { Address } from "viem";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createSolanaConnection } from "../../src/chains/solana/connection.js";
import { referenceForIntent } from "../../src/chains/solana/pay-url.js";
import type { SolanaChainConfig } from "../../src/config/chains-schema.js";
import { depositIntents, deposits, ledgerEntries, walletIdentities } from "../../src/db/schema/index.js";
import { auditDepositsAgainstChains, type ChainAuditReport } from "../../src/deposits/chain-audit.js";
import { assignDeposit } from "../../src/deposits/credit.js";
import { createIntent } from "../../src/deposits/intents.js";
import { createSolanaDepositRuntime, type SolanaDepositRuntime } from "../../src/deposits/solana-chain.js";
import { createSolanaListenerStore } from "../../src/deposits/solana-sync.js";
import { newId } from "../../src/domain/ids.js";
import { createAccount, getBalance } from "../../src/ledger/index.js";
import { runSolanaPass } from "../../src/workers/solana-listener.js";
import { artifact, startAnvil, type Anvil } from "../support/anvil.js";
import { createTestDatabase, type TestDatabase } from "../support/db.js";
import {
  buildTransaction,
  fundedWallet,
  installMint,
  mintTo,
  transferSol,
  transferToken,
  USDC_MINT,
} from "../support/solana-rpc/fixtures.js";
import { startSolanaRpc, type SolanaRpcServer } from "../support/solana-rpc/server.js";

const SOL_USD = 150_12345678n; // 150.12345678 USD, 8 decimals like Chainlink USD feeds
const feedAbi = artifact("MockAggregator").abi;

let rpc: SolanaRpcServer;
let anvil: Anvil;
let feed: Address;
let database: TestDatabase;
let mintAuthority: Keypair;

async function setPrice(answer: bigint, updatedAt: Date): Promise<void> {
  const hash = await anvil.wallet(0).writeContract({
    address: feed,
    abi: feedAbi,
    functionName: "setRound",
    args: [answer, BigInt(Math.floor(updatedAt.getTime() / 1000))],
  });
  await anvil.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 20 });
}

beforeAll(async () => {
  [rpc, anvil, database] = await Promise.all([startSolanaRpc(), startAnvil(), createTestDatabase("pglite")]);
  feed = await anvil.deploy("MockAggregator");
  await setPrice(SOL_USD, new Date());
  mintAuthority = fundedWallet(rpc.chain);
  installMint(rpc.chain, USDC_MINT, mintAuthority.publicKey);
});

afterAll(async () => {
  await Promise.all([rpc?.close(), anvil?.stop(), database?.close()]);
});

beforeEach(() => {
  rpc.chain.finalizedLag = 0;
  rpc.chain.confirmedLag = 0;
});

/** The chain audit of every scenario's chain, run after them all. */
const audits: (() => Promise<ChainAuditReport>)[] = [];

/** A fresh treasury (and so a fresh cursor namespace) per test. */
function setup(batchSize?: number) {
  const treasury = Keypair.generate().publicKey;
  const config: SolanaChainConfig = {
    rpc_url: rpc.url,
    treasury: treasury.toBase58(),
    commitment: "finalized",
    poll_interval_ms: 1_000,
    assets: [
      { symbol: "SOL", native: true, price_feed: { chain_id: anvil.chainId, address: feed, max_age_s: 3_600 } },
      { symbol: "USDC", native: false, mint: USDC_MINT.toBase58(), decimals: 6 },
    ],
  };
  const chain = `solana:test-${treasury.toBase58().slice(0, 8)}`;
  const runtime: SolanaDepositRuntime = createSolanaDepositRuntime(config, () => anvil.publicClient, () => new Date(), chain);
  if (batchSize !== undefined) runtime.scan.batchSize = batchSize;
  const connection = createSolanaConnection({ rpcUrl: rpc.url, commitment: "finalized", timeoutMs: 5_000 });
  const pass = () =>
    runSolanaPass(
      connection,
      runtime.scan,
      createSolanaListenerStore({ db: database.db, chain, scan: runtime.scan, valuer: runtime.valuer, now: () => new Date() }),
    );
  const rows = () => database.db.select().from(deposits).where(eq(deposits.chain, chain));
  audits.push(() => auditDepositsAgainstChains(database.db, [], { solana: { chain, connection, scan: runtime.scan } }));
  return { treasury, chain, runtime, pass, rows };
}

async function linkedAccount(wallet: Keypair): Promise<string> {
  const accountId = await createAccount(database.db);
  await database.db
    .insert(walletIdentities)
    .values({ id: newId("wal"), accountId, family: "solana", address: wallet.publicKey.toBase58() });
  return accountId;
}

const balanceOf = async (accountId: string) => (await getBalance(database.db, accountId))?.balanceNano;

describe("Solana deposits credited exactly once", () => {
  it("credits SOL (at the feed price, rate stored) and USDC from a linked wallet once, across restarts", async () => {
    const t = setup();
    const wallet = fundedWallet(rpc.chain, 20_000_000_000n);
    mintTo(rpc.chain, mintAuthority, USDC_MINT, wallet.publicKey, 100_000_000n);
    const accountId = await linkedAccount(wallet);
    transferSol(rpc.chain, wallet, t.treasury, 2_500_000_000n);
    transferToken(rpc.chain, wallet, USDC_MINT, t.treasury, 12_345_678n, { createRecipientAccount: true });
    // A failed transfer from the same wallet is on chain too, and must credit nothing.
    rpc.chain.send(
      buildTransaction(rpc.chain, wallet, [
        SystemProgram.transfer({ fromPubkey: wallet.publicKey, toPubkey: t.treasury, lamports: 900_000_000_000 }),
      ]),
    );

    await t.pass();
    const solNano = (2_500_000_000n * SOL_USD * 10n ** 9n) / 10n ** 17n;
    const usdcNano = 12_345_678_000n;
    expect(await balanceOf(accountId)).toBe(solNano + usdcNano);
    const rows = await t.rows();
    expect(rows).toHaveLength(2);
    const solRow = rows.find((r) => r.asset === "SOL")!;
    expect(solRow).toMatchObject({ status: "credited", attribution: "wallet", rateAnswer: SOL_USD, rateDecimals: 8 });
    expect(solRow.amountBaseUnits).toBe(2_500_000_000n);
    expect(rows.find((r) => r.asset === "USDC")).toMatchObject({ status: "credited", amountBaseUnits: 12_345_678n, valueNano: usdcNano });

    // Another pass and a "restarted" listener (new store, same database) re-read the overlap: no new credit.
    await t.pass();
    await t.pass();
    expect(await balanceOf(accountId)).toBe(solNano + usdcNano);
    const entries = await database.db.select().from(ledgerEntries).where(eq(ledgerEntries.accountId, accountId));
    expect(entries).toHaveLength(2);
  });

  it("credits nothing before the finalized commitment is reached", async () => {
    const t = setup();
    rpc.chain.finalizedLag = 5;
    rpc.chain.confirmedLag = 1;
    const wallet = fundedWallet(rpc.chain);
    const accountId = await linkedAccount(wallet);
    transferSol(rpc.chain, wallet, t.treasury, 1_000_000_000n);
    rpc.chain.advance(2);
    await t.pass();
    expect(await t.rows()).toEqual([]);
    expect(await balanceOf(accountId)).toBe(0n);
    rpc.chain.advance(3);
    await t.pass();
    expect(await t.rows()).toHaveLength(1);
    expect(await balanceOf(accountId)).toBe((1_000_000_000n * SOL_USD * 10n ** 9n) / 10n ** 17n);
  });

  it("matches a Solana Pay reference intent paid by an unknown wallet", async () => {
    const t = setup();
    const accountId = await createAccount(database.db);
    const intent = await createIntent(
      database.db,
      [t.runtime.description],
      accountId,
      { chain: t.chain, asset: "USDC", amount_usd: "10" },
      new Date(),
      3_600_000,
    );
    const reference = referenceForIntent(intent.id);
    expect(intent.uri).toBe(
      `solana:${t.treasury.toBase58()}?amount=${Number(intent.amountBaseUnits) / 1e6}&spl-token=${USDC_MINT.toBase58()}` +
        `&reference=${reference}&label=farebox&message=Prepaid%20credits`,
    );
    // An exchange-style sender that is no linked wallet, paying a different amount than the intent's:
    // only the reference can identify the account.
    const stranger = fundedWallet(rpc.chain);
    mintTo(rpc.chain, mintAuthority, USDC_MINT, stranger.publicKey, 50_000_000n);
    transferToken(rpc.chain, stranger, USDC_MINT, t.treasury, 10_500_000n, {
      createRecipientAccount: true,
      references: [new PublicKey(reference)],
    });
    await t.pass();
    expect(await balanceOf(accountId)).toBe(10_500_000_000n);
    const [row] = await t.rows();
    expect(row).toMatchObject({ status: "credited", attribution: "reference", intentId: intent.id, memoOrReference: reference });
    const [stored] = await database.db.select().from(depositIntents).where(eq(depositIntents.id, intent.id));
    expect(stored?.status).toBe("matched");

    // Paying the same request again still names the account through its reference.
    transferToken(rpc.chain, stranger, USDC_MINT, t.treasury, 2_000_000n, { references: [new PublicKey(reference)] });
    await t.pass();
    expect(await balanceOf(accountId)).toBe(12_500_000_000n);
    expect((await t.rows()).map((r) => r.attribution)).toEqual(["reference", "reference"]);
  });

  it("credits a reference payment to its intent's account even when another account's linked wallet paid the fee", async () => {
    const t = setup();
    const victim = await createAccount(database.db);
    const intent = await createIntent(database.db, [t.runtime.description], victim, { chain: t.chain, asset: "SOL", amount_usd: "30" }, new Date(), 3_600_000);
    const reference = new PublicKey(referenceForIntent(intent.id));
    const victimWallet = fundedWallet(rpc.chain);
    const relayer = fundedWallet(rpc.chain);
    const relayerAccount = await linkedAccount(relayer);
    transferSol(rpc.chain, victimWallet, t.treasury, intent.amountBaseUnits, { references: [reference], payer: relayer });
    await t.pass();
    const [row] = await t.rows();
    expect(row).toMatchObject({ status: "credited", accountId: victim, attribution: "reference", intentId: intent.id });
    expect(await balanceOf(relayerAccount)).toBe(0n);
    expect(await balanceOf(victim)).toBe(row!.valueNano);
  });

  it("never takes a fee payer for the sender: a stranger's SOL whose fee a linked wallet paid is parked", async () => {
    const t = setup();
    const stranger = fundedWallet(rpc.chain);
    const relayer = fundedWallet(rpc.chain);
    const relayerAccount = await linkedAccount(relayer);
    transferSol(rpc.chain, stranger, t.treasury, 444_000_000n, { payer: relayer });
    await t.pass();
    const [row] = await t.rows();
    expect(row).toMatchObject({ status: "unattributed", accountId: null, fromAddress: stranger.publicKey.toBase58() });
    expect(await balanceOf(relayerAccount)).toBe(0n);
    // The payer paying its own fee is still the sender.
    const owner = fundedWallet(rpc.chain);
    const ownerAccount = await linkedAccount(owner);
    transferSol(rpc.chain, owner, t.treasury, 555_000_000n);
    await t.pass();
    expect((await t.rows()).find((r) => r.amountBaseUnits === 555_000_000n)).toMatchObject({ status: "credited", accountId: ownerAccount, attribution: "wallet" });
  });

  it("parks a deposit nobody can be attributed, and the admin can assign it once", async () => {
    const t = setup();
    const stranger = fundedWallet(rpc.chain);
    transferSol(rpc.chain, stranger, t.treasury, 333_000_000n);
    await t.pass();
    const [row] = await t.rows();
    expect(row).toMatchObject({ status: "unattributed", accountId: null, rateAnswer: SOL_USD });
    const accountId = await createAccount(database.db);
    expect(await assignDeposit(database.db, row!.id, accountId, new Date())).toBe(true);
    expect(await assignDeposit(database.db, row!.id, accountId, new Date())).toBe(false);
    expect(await balanceOf(accountId)).toBe(row!.valueNano);
    await t.pass();
    expect(await balanceOf(accountId)).toBe(row!.valueNano);
  });

  it("prices per asset: USDC is credited while SOL's feed is stale; the SOL deposits wait, then follow in order at a fresh price", async () => {
    const t = setup();
    const wallet = fundedWallet(rpc.chain);
    mintTo(rpc.chain, mintAuthority, USDC_MINT, wallet.publicKey, 10_000_000n);
    const accountId = await linkedAccount(wallet);
    await setPrice(SOL_USD, new Date(Date.now() - 2 * 3_600_000));
    let sol1: string, sol2: string;
    try {
      sol1 = transferSol(rpc.chain, wallet, t.treasury, 1_000_000_000n).signature;
      const usdc = transferToken(rpc.chain, wallet, USDC_MINT, t.treasury, 3_000_000n, { createRecipientAccount: true }).signature;
      sol2 = transferSol(rpc.chain, wallet, t.treasury, 2_000_000_000n).signature;
      await t.pass();
      const rows = await t.rows();
      expect(rows.find((r) => r.txId === usdc)).toMatchObject({ status: "credited", valueNano: 3_000_000_000n });
      expect(rows.find((r) => r.txId === sol1)).toMatchObject({ status: "seen", valueNano: null });
      expect(rows.find((r) => r.txId === sol2)).toMatchObject({ status: "seen", valueNano: null });
      expect(await balanceOf(accountId)).toBe(3_000_000_000n);
      // A later USDC deposit is not held up either; the SOL deposits still wait.
      const usdc2 = transferToken(rpc.chain, wallet, USDC_MINT, t.treasury, 1_000_000n).signature;
      await t.pass();
      expect((await t.rows()).find((r) => r.txId === usdc2)).toMatchObject({ status: "credited" });
      expect((await t.rows()).filter((r) => r.status === "seen").map((r) => r.txId).sort()).toEqual([sol1, sol2].sort());
    } finally {
      await setPrice(200_00000000n, new Date());
    }
    await t.pass();
    const rows = await t.rows();
    expect(rows.find((r) => r.txId === sol1)).toMatchObject({ status: "credited", valueNano: 200_000_000_000n, rateAnswer: 200_00000000n });
    expect(rows.find((r) => r.txId === sol2)).toMatchObject({ status: "credited", valueNano: 400_000_000_000n });
    expect(await balanceOf(accountId)).toBe(604_000_000_000n);
    const entries = await database.db.select().from(ledgerEntries).where(eq(ledgerEntries.accountId, accountId));
    expect(entries).toHaveLength(4);
  });

  it("resumes after the listener dies mid-pass: every deposit credited exactly once", async () => {
    const t = setup(10);
    const wallet = fundedWallet(rpc.chain, 100_000_000_000n);
    const accountId = await linkedAccount(wallet);
    const sent: string[] = [];
    let total = 0n;
    for (let i = 1; i <= 30; i += 1) {
      sent.push(transferSol(rpc.chain, wallet, t.treasury, 10_000_000n + BigInt(i)).signature);
      total += 10_000_000n + BigInt(i);
    }
    // The node fails on the 11th transaction (batch and single retry): the pass dies after one committed batch.
    const failing = sent[10];
    rpc.inject({ method: "getTransaction", kind: "rpc-error", code: -32005, times: 2, when: (params) => params[0] === failing });
    await expect(t.pass()).rejects.toThrow();
    expect(await t.rows()).toHaveLength(10);
    await t.pass();
    const rows = await t.rows();
    expect(rows).toHaveLength(30);
    expect(new Set(rows.map((r) => r.txId))).toEqual(new Set(sent));
    const lamports = rows.reduce((sum, r) => sum + r.amountBaseUnits, 0n);
    expect(lamports).toBe(total);
    const entries = await database.db.select().from(ledgerEntries).where(eq(ledgerEntries.accountId, accountId));
    expect(entries).toHaveLength(30);
  });

  it("leaves every scenario above reconciled with the chain (npm run audit:ledger -- --chain)", async () => {
    expect(audits.length).toBeGreaterThan(5);
    for (const audit of audits) {
      const report = await audit();
      expect(report.problems).toEqual([]);
      expect(report.signaturesSampled).toBeGreaterThan(0);
    }
  });
});
