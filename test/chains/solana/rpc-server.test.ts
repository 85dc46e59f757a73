import { getAssociatedTokenAddressSync } from "@solana/spl-token";
import { Connection, Keypair, SystemProgram, type ParsedInstruction } from "@solana/web3.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildTransaction,
  fundedWallet,
  installMint,
  mintTo,
  transferSol,
  transferToken,
  USDC_MINT,
} from "../../support/solana-rpc/fixtures.js";
import { startSolanaRpc, type SolanaRpcServer } from "../../support/solana-rpc/server.js";

let rpc: SolanaRpcServer;
let connection: Connection;

beforeAll(async () => {
  rpc = await startSolanaRpc();
  connection = new Connection(rpc.url, { commitment: "finalized", disableRetryOnRateLimit: true });
});

afterAll(async () => {
  await rpc.close();
});

describe("Solana test RPC server through @solana/web3.js Connection", () => {
  it("sends a real signed transaction and reports its status, balances and parsed form", async () => {
    const payer = fundedWallet(rpc.chain);
    const receiver = Keypair.generate();
    const { blockhash } = await connection.getLatestBlockhash();
    expect(blockhash).toBe(rpc.chain.svm.latestBlockhash());
    const tx = buildTransaction(rpc.chain, payer, [
      SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: receiver.publicKey, lamports: 2_000_000 }),
    ]);
    const signature = await connection.sendRawTransaction(tx.serialize());
    const statuses = await connection.getSignatureStatuses([signature]);
    expect(statuses.value[0]).toMatchObject({ err: null, confirmationStatus: "finalized" });
    expect(await connection.getBalance(receiver.publicKey)).toBe(2_000_000);

    const parsed = await connection.getParsedTransaction(signature, { maxSupportedTransactionVersion: 1 });
    expect(parsed?.version).toBe(0);
    expect(parsed?.meta?.err).toBeNull();
    const keys = parsed!.transaction.message.accountKeys.map((key) => key.pubkey.toBase58());
    const index = keys.indexOf(receiver.publicKey.toBase58());
    expect(parsed!.meta!.postBalances[index]! - parsed!.meta!.preBalances[index]!).toBe(2_000_000);
    const first = parsed!.transaction.message.instructions[0] as ParsedInstruction;
    expect(first.parsed).toMatchObject({ type: "transfer", info: { lamports: 2_000_000 } });

    const raw = await connection.getTransaction(signature, { maxSupportedTransactionVersion: 1 });
    expect(raw?.transaction.signatures[0]).toBe(signature);
  });

  it("refuses a v0 transaction to a client that does not declare maxSupportedTransactionVersion", async () => {
    const payer = fundedWallet(rpc.chain);
    const record = transferSol(rpc.chain, payer, Keypair.generate().publicKey, 1_000_000n);
    await expect(connection.getParsedTransaction(record.signature)).rejects.toThrow(/not supported/);
    const legacy = transferSol(rpc.chain, payer, Keypair.generate().publicKey, 1_000_000n, { version: "legacy" });
    expect((await connection.getParsedTransaction(legacy.signature))?.version).toBe("legacy");
  });

  it("reports SPL token balances, including an account created in the same transaction", async () => {
    const authority = fundedWallet(rpc.chain);
    installMint(rpc.chain, USDC_MINT, authority.publicKey);
    const sender = fundedWallet(rpc.chain);
    mintTo(rpc.chain, authority, USDC_MINT, sender.publicKey, 50_000_000n);
    const receiver = Keypair.generate();
    const record = transferToken(rpc.chain, sender, USDC_MINT, receiver.publicKey, 12_345_678n, {
      createRecipientAccount: true,
    });
    const ata = getAssociatedTokenAddressSync(USDC_MINT, receiver.publicKey);
    const balance = await connection.getTokenAccountBalance(ata);
    expect(balance.value).toMatchObject({ amount: "12345678", decimals: 6 });
    const info = await connection.getAccountInfo(ata);
    expect(info?.data.length).toBe(165);

    const parsed = await connection.getParsedTransaction(record.signature, { maxSupportedTransactionVersion: 1 });
    const post = parsed!.meta!.postTokenBalances!.find((b) => b.owner === receiver.publicKey.toBase58());
    const pre = parsed!.meta!.preTokenBalances!.find((b) => b.owner === receiver.publicKey.toBase58());
    expect(post?.uiTokenAmount.amount).toBe("12345678");
    expect(pre).toBeUndefined();
  });

  it("records failed transactions with their error, as mainnet nodes do", async () => {
    const poor = fundedWallet(rpc.chain, 10_000_000n);
    const target = Keypair.generate().publicKey;
    const tx = buildTransaction(rpc.chain, poor, [
      SystemProgram.transfer({ fromPubkey: poor.publicKey, toPubkey: target, lamports: 5_000_000_000 }),
    ]);
    await expect(connection.sendRawTransaction(tx.serialize())).rejects.toThrow(/simulation failed/);
    const signature = await connection.sendRawTransaction(tx.serialize(), { skipPreflight: true });
    const [info] = await connection.getSignaturesForAddress(target);
    expect(info).toMatchObject({ signature, err: { InstructionError: [0, expect.anything()] } });
    const parsed = await connection.getParsedTransaction(signature, { maxSupportedTransactionVersion: 1 });
    expect(parsed?.meta?.err).not.toBeNull();
  });

  it("hides transactions until their commitment is reached", async () => {
    rpc.chain.finalizedLag = 3;
    rpc.chain.confirmedLag = 1;
    try {
      const payer = fundedWallet(rpc.chain);
      const target = Keypair.generate().publicKey;
      const record = transferSol(rpc.chain, payer, target, 1_000_000n);
      expect(await connection.getSignaturesForAddress(target)).toEqual([]);
      expect(await connection.getParsedTransaction(record.signature, { maxSupportedTransactionVersion: 1 })).toBeNull();
      rpc.chain.advance(1);
      expect(await connection.getSignaturesForAddress(target, {}, "confirmed")).toHaveLength(1);
      expect(await connection.getSignaturesForAddress(target, {}, "finalized")).toEqual([]);
      rpc.chain.advance(2);
      expect(await connection.getSignaturesForAddress(target)).toHaveLength(1);
    } finally {
      rpc.chain.finalizedLag = 0;
      rpc.chain.confirmedLag = 0;
    }
  });

  it("pages getSignaturesForAddress newest first with before, until and limit", async () => {
    const payer = fundedWallet(rpc.chain);
    const target = Keypair.generate().publicKey;
    const sent = [1n, 2n, 3n, 4n, 5n].map((n) => transferSol(rpc.chain, payer, target, 1_000_000n * n).signature);
    const all = await connection.getSignaturesForAddress(target);
    expect(all.map((i) => i.signature)).toEqual([...sent].reverse());
    const page = await connection.getSignaturesForAddress(target, { before: sent[3], until: sent[0], limit: 2 });
    expect(page.map((i) => i.signature)).toEqual([sent[2], sent[1]]);
  });

  it("injects JSON-RPC errors, HTTP failures and slow answers", async () => {
    rpc.inject({ method: "getSlot", kind: "rpc-error", code: -32005, message: "Node is behind by 42 slots" });
    await expect(connection.getSlot()).rejects.toThrow(/Node is behind/);
    rpc.inject({ method: "getSlot", kind: "http-500" });
    await expect(connection.getSlot()).rejects.toThrow(/500/);
    rpc.inject({ method: "getSlot", kind: "delay", delayMs: 300 });
    const started = Date.now();
    expect(await connection.getSlot()).toBe(rpc.chain.slotAt("finalized"));
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
  });
});
