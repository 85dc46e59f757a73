import { Keypair } from "@solana/web3.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEvmPublicClient } from "../../src/chains/evm/client.js";
import type { EvmChainConfig, SolanaChainConfig } from "../../src/config/chains-schema.js";
import type { DepositChain } from "../../src/deposits/deposit-chain.js";
import { createEvmDepositRuntime } from "../../src/deposits/evm-chain.js";
import { createIntent } from "../../src/deposits/intents.js";
import { createSolanaDepositRuntime } from "../../src/deposits/solana-chain.js";
import { takenIntentAmounts } from "../../src/deposits/taken-amounts.js";
import { createAccount } from "../../src/ledger/index.js";
import { createTestDatabase, dbKinds, type TestDatabase } from "../support/db.js";

const MINUTE_MS = 60_000;

function evmChain(chainId: number, confirmations: EvmChainConfig["confirmations"], blockTimeMs?: number): DepositChain {
  const config: EvmChainConfig = {
    chain_id: chainId,
    rpc_url: "http://127.0.0.1:9",
    treasury: "0x000000000000000000000000000000000000bEEF",
    treasury_receiver: false,
    internal_eth: "auto",
    confirmations,
    ...(blockTimeMs === undefined ? {} : { block_time_ms: blockTimeMs }),
    poll_interval_ms: 4_000,
    max_block_range: 2_000,
    assets: [{ symbol: "USDC", native: false, address: "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913", decimals: 6, price_max_age_s: 3_600 }],
  };
  const clientFor = (id: number) => createEvmPublicClient({ chainId: id, rpcUrl: config.rpc_url });
  return createEvmDepositRuntime(config, clientFor, () => new Date()).description;
}

function solanaChain(commitment: SolanaChainConfig["commitment"]): DepositChain {
  const config: SolanaChainConfig = {
    rpc_url: "http://127.0.0.1:9",
    treasury: Keypair.generate().publicKey.toBase58(),
    commitment,
    poll_interval_ms: 4_000,
    assets: [{ symbol: "SOL", native: true }],
  };
  return createSolanaDepositRuntime(config, () => {
    throw new Error("no price feed here");
  }, () => new Date()).description;
}

describe("an expired intent's amount is reserved for ten minutes plus its chain's confirmation depth", () => {
  it("counts the depth in blocks of the chain's block time (viem's, or the configured one, or 12 s)", () => {
    expect(evmChain(8453, 12).intentReissueCooldownMs).toBe(10 * MINUTE_MS + 12 * 2_000); // Base: 2 s blocks
    expect(evmChain(1, 12).intentReissueCooldownMs).toBe(10 * MINUTE_MS + 12 * 12_000); // Ethereum: 12 s slots
    expect(evmChain(8453, 12, 5_000).intentReissueCooldownMs).toBe(10 * MINUTE_MS + 12 * 5_000);
    expect(evmChain(987_654_321, 5).intentReissueCooldownMs).toBe(10 * MINUTE_MS + 5 * 12_000);
  });

  it("takes `finalized` as the worst-case finality of an EVM chain, and Solana's commitment in slots", () => {
    expect(evmChain(8453, "finalized").intentReissueCooldownMs).toBe(40 * MINUTE_MS);
    expect(solanaChain("finalized").intentReissueCooldownMs).toBe(10 * MINUTE_MS + 32 * 400);
    expect(solanaChain("confirmed").intentReissueCooldownMs).toBe(10 * MINUTE_MS + 400);
  });
});

describe.each(dbKinds)("intents reissue an amount after their chain's cool-down, not a fixed hour (%s)", (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await database?.close();
  });

  it("keeps the amount through the cool-down of a 12-block, 2 s chain and frees it right after", async () => {
    const chain = evmChain(8453, 12);
    const account = await createAccount(database.db);
    const created = new Date("2026-01-01T00:00:00Z");
    const intent = await createIntent(database.db, [chain], account, { chain: 8453, asset: "USDC", amount_usd: "10" }, created, 15 * MINUTE_MS);
    const cooldownEnds = intent.expiresAt.getTime() + 10 * MINUTE_MS + 24_000;
    const taken = (at: number) => takenIntentAmounts(database.db, chain.chain, "USDC", new Date(at), chain.intentReissueCooldownMs);
    expect((await taken(cooldownEnds - 1_000)).has(intent.amountBaseUnits)).toBe(true);
    expect((await taken(cooldownEnds + 1_000)).has(intent.amountBaseUnits)).toBe(false);
    // Within the cool-down no new intent gets the amount, however many are opened.
    for (let i = 0; i < 20; i += 1) {
      const other = await createIntent(database.db, [chain], account, { chain: 8453, asset: "USDC", amount_usd: "10" }, new Date(cooldownEnds - 1_000), MINUTE_MS);
      expect(other.amountBaseUnits).not.toBe(intent.amountBaseUnits);
    }
  });
});
