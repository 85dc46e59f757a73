import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/db.js";
import { createIntent } from "../../src/deposits/intents.js";
import type { AssetQuote, DepositChain } from "../../src/deposits/deposit-chain.js";
import { nativePaymentUri } from "../../src/deposits/eip681.js";
import { createAccount } from "../../src/ledger/index.js";
import { AppError } from "../../src/domain/errors.js";

let database: TestDatabase;
let account: string;
let quote: AssetQuote = { kind: "quote", price: { answer: 2_000_00000000n, decimals: 8 } };
const chain: DepositChain = {
  chain: "eip155:1",
  family: "evm",
  chainId: 1,
  name: "ethereum",
  treasury: "0x000000000000000000000000000000000000bEEF",
  confirmations: "finalized",
  assets: [{ symbol: "ETH", decimals: 18, native: true, priced: true }],
  attribution: ["linked_wallet", "intent_exact_amount"],
  quote: async () => quote,
  paymentUri: (_asset, amount) => nativePaymentUri("0x000000000000000000000000000000000000bEEF", 1, amount),
};

beforeAll(async () => {
  database = await createTestDatabase("pglite");
  account = await createAccount(database.db);
});
afterAll(async () => {
  await database?.close();
});

describe("deposit intents for priced assets", () => {
  it("sizes an ETH intent at the current feed price, unique per open intent, with an EIP-681 value", async () => {
    const now = new Date();
    const a = await createIntent(database.db, [chain], account, { chain: "eip155:1", asset: "ETH", amount_usd: "20" }, now, 60_000);
    const b = await createIntent(database.db, [chain], account, { chain: 1, asset: "eth", amount_usd: "20" }, now, 60_000);
    // $20 at $2000/ETH = 0.01 ETH, plus a distinguishing offset of a few wei
    expect(a.amountBaseUnits).toBe(10n ** 16n + 1n);
    expect(b.amountBaseUnits).toBe(10n ** 16n + 2n);
    expect(a.uri).toBe(`ethereum:0x000000000000000000000000000000000000bEEF@1?value=${10n ** 16n + 1n}`);
  });

  it("frees an expired intent's amount for reuse", async () => {
    const later = new Date(Date.now() + 120_000);
    const c = await createIntent(database.db, [chain], account, { chain: "eip155:1", asset: "ETH", amount_usd: "20" }, later, 60_000);
    expect(c.amountBaseUnits).toBe(10n ** 16n + 1n);
  });

  it("refuses to size an intent while the price is unusable", async () => {
    quote = { kind: "not_ready", reason: "ETH price stale" };
    await expect(createIntent(database.db, [chain], account, { chain: "eip155:1", asset: "ETH", amount_usd: "20" }, new Date(), 60_000)).rejects.toSatisfy(
      (error: unknown) => error instanceof AppError && error.httpStatus === 503 && /stale/.test(error.message),
    );
  });
});
