import { Keypair } from "@solana/web3.js";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSolanaConnection } from "../../src/chains/solana/connection.js";
import type { SolanaChainConfig } from "../../src/config/chains-schema.js";
import { deposits, walletIdentities } from "../../src/db/schema/index.js";
import { runChainAudit } from "../../src/deposits/chain-audit-command.js";
import { setCursor } from "../../src/deposits/cursors.js";
import { createSolanaDepositRuntime, SOLANA_CHAIN_KEY } from "../../src/deposits/solana-chain.js";
import { createSolanaListenerStore, cursorKey } from "../../src/deposits/solana-sync.js";
import { newId } from "../../src/domain/ids.js";
import { createAccount, postEntry } from "../../src/ledger/index.js";
import { runSolanaPass } from "../../src/workers/solana-listener.js";
import { createTestDatabase, dbKinds, type TestDatabase } from "../support/db.js";
import { fundedWallet, installMint, mintTo, transferSol, transferToken, USDC_MINT } from "../support/solana-rpc/fixtures.js";
import { startSolanaRpc, type SolanaRpcServer } from "../support/solana-rpc/server.js";

describe.each(dbKinds)("the chain audit reconciles Solana deposits with the chain (%s)", (kind) => {
  let rpc: SolanaRpcServer;
  let database: TestDatabase;
  const treasury = Keypair.generate().publicKey;
  const chain = SOLANA_CHAIN_KEY;
  let wallet: Keypair;
  let accountId: string;
  let pass: () => Promise<unknown>;
  let audit: () => ReturnType<typeof runChainAudit>;

  beforeAll(async () => {
    [rpc, database] = await Promise.all([startSolanaRpc(), createTestDatabase(kind)]);
    const mintAuthority = fundedWallet(rpc.chain);
    installMint(rpc.chain, USDC_MINT, mintAuthority.publicKey);
    const config: SolanaChainConfig = {
      rpc_url: rpc.url,
      treasury: treasury.toBase58(),
      commitment: "finalized",
      poll_interval_ms: 1_000,
      assets: [
        { symbol: "SOL", native: true },
        { symbol: "USDC", native: false, mint: USDC_MINT.toBase58(), decimals: 6 },
      ],
    };
    const runtime = createSolanaDepositRuntime(config, () => {
      throw new Error("no price feed in this test");
    }, () => new Date(), chain);
    const connection = createSolanaConnection({ rpcUrl: rpc.url, commitment: "finalized", timeoutMs: 5_000 });
    const store = createSolanaListenerStore({ db: database.db, chain, scan: runtime.scan, valuer: runtime.valuer, now: () => new Date() });
    pass = () => runSolanaPass(connection, runtime.scan, store);
    // What `npm run audit:ledger -- --chain` runs with this config.
    audit = () => runChainAudit(database.db, { evm: [], solana: config }, () => new Date());
    wallet = fundedWallet(rpc.chain, 20_000_000_000n);
    mintTo(rpc.chain, mintAuthority, USDC_MINT, wallet.publicKey, 100_000_000n);
    accountId = await createAccount(database.db);
    await database.db.insert(walletIdentities).values({ id: newId("wal"), accountId, family: "solana", address: wallet.publicKey.toBase58() });
  });
  afterAll(async () => {
    await Promise.all([rpc?.close(), database?.close()]);
  });

  it("passes on SOL and USDC deposits credited once each, as the chain has them", async () => {
    transferSol(rpc.chain, wallet, treasury, 1_000_000_000n);
    transferToken(rpc.chain, wallet, USDC_MINT, treasury, 5_000_000n, { createRecipientAccount: true });
    await pass();
    const report = await audit();
    expect(report.problems).toEqual([]);
    expect(report.depositsChecked).toBe(2);
    expect(report.signaturesSampled).toBe(2);
  });

  it("fails on a deposit credited twice", async () => {
    const [row] = await database.db.select().from(deposits).where(and(eq(deposits.chain, chain), eq(deposits.asset, "USDC")));
    const metadata = { chain, tx: row!.txId, asset: "USDC" };
    await postEntry(database.db, { accountId, kind: "deposit", amountNano: row!.valueNano!, idempotencyKey: "second-credit", metadata });
    expect((await audit()).problems).toEqual([expect.stringContaining("credited 2 times for 1 transfer(s) on chain")]);
    await postEntry(database.db, { accountId, kind: "deposit", amountNano: -row!.valueNano!, idempotencyKey: "second-credit-undone", metadata });
    expect((await audit()).problems).toEqual([]);
  });

  it("fails on a deposit credited but not on chain", async () => {
    const [real] = await database.db.select().from(deposits).where(and(eq(deposits.chain, chain), eq(deposits.asset, "SOL")));
    const fake = Keypair.generate().publicKey.toBase58() + Keypair.generate().publicKey.toBase58().slice(0, 20);
    await database.db.insert(deposits).values({ ...real!, id: newId("dep"), txId: fake });
    expect((await audit()).problems).toEqual([expect.stringContaining(`(${chain} ${fake} SOL) is credited but not on chain`)]);
    await database.db.delete(deposits).where(eq(deposits.txId, fake));
  });

  it("fails on a deposit on chain that was never recorded", async () => {
    const missed = transferSol(rpc.chain, wallet, treasury, 777_000_000n);
    // A listener that skipped it leaves only its cursor past the transaction.
    await setCursor(database.db, cursorKey(chain, treasury.toBase58()), { block: BigInt(missed.slot), hash: missed.signature }, new Date());
    expect((await audit()).problems).toEqual([expect.stringContaining(`${missed.signature} (SOL 777000000) is on chain`)]);
    // A deposit the listener has not reached yet is no problem: it is above the cursor.
    transferSol(rpc.chain, wallet, treasury, 888_000_000n);
    expect((await audit()).problems).toHaveLength(1);
  });
});
