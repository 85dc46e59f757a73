import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/db.js";
import { createIntent } from "../../src/deposits/intents.js";
import { takenIntentAmounts } from "../../src/deposits/taken-amounts.js";
import { evmReissueCooldownMs } from "../../src/deposits/reissue-cooldown.js";
import type { AssetQuote, DepositChain } from "../../src/deposits/deposit-chain.js";
import { nativePaymentUri } from "../../src/deposits/eip681.js";
import { createAccount } from "../../src/ledger/index.js";
import { AppError } from "../../src/domain/errors.js";

let database: TestDatabase;
let account: string;
let first = 0n;
let firstExpiry = new Date();
let quote: AssetQuote = { kind: "quote", price: { answer: 2_000_00000000n, decimals: 8 } };
const chain: DepositChain = {
  chain: "eip155:1",
  family: "evm",
  chainId: 1,
  name: "ethereum",
  treasury: "0x000000000000000000000000000000000000bEEF",
  confirmations: "finalized",
  intentReissueCooldownMs: evmReissueCooldownMs("finalized", 12_000),
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
  it("sizes an ETH intent at the current feed price, far from other intents' amounts, with an EIP-681 value", async () => {
    const now = new Date();
    const a = await createIntent(database.db, [chain], account, { chain: "eip155:1", asset: "ETH", amount_usd: "20" }, now, 60_000);
    const b = await createIntent(database.db, [chain], account, { chain: 1, asset: "eth", amount_usd: "20" }, now, 60_000);
    // $20 at $2000/ETH = 0.01 ETH, plus a random offset of whole millionths of an ether (below 0.001 ETH)
    const step = 10n ** 12n;
    for (const intent of [a, b]) {
      const offset = intent.amountBaseUnits - 10n ** 16n;
      expect(offset > 0n && offset <= 1000n * step && offset % step === 0n).toBe(true);
    }
    const distance = a.amountBaseUnits > b.amountBaseUnits ? a.amountBaseUnits - b.amountBaseUnits : b.amountBaseUnits - a.amountBaseUnits;
    expect(distance >= 10n * step).toBe(true);
    expect(a.uri).toBe(`ethereum:0x000000000000000000000000000000000000bEEF@1?value=${a.amountBaseUnits}`);
    first = a.amountBaseUnits;
    firstExpiry = a.expiresAt;
  });

  it("keeps an expired intent's amount from anyone else until its cool-down has passed", async () => {
    const inCoolDown = new Date(firstExpiry.getTime() + chain.intentReissueCooldownMs - 1_000);
    expect((await takenIntentAmounts(database.db, "eip155:1", "ETH", inCoolDown, chain.intentReissueCooldownMs)).has(first)).toBe(true);
    for (let i = 0; i < 30; i += 1) {
      const other = await createIntent(database.db, [chain], account, { chain: "eip155:1", asset: "ETH", amount_usd: "20" }, inCoolDown, 60_000);
      expect(other.amountBaseUnits).not.toBe(first);
    }
    const afterCoolDown = new Date(firstExpiry.getTime() + chain.intentReissueCooldownMs + 1_000);
    expect((await takenIntentAmounts(database.db, "eip155:1", "ETH", afterCoolDown, chain.intentReissueCooldownMs)).has(first)).toBe(false);
  });

  it("refuses to size an intent while the price is unusable", async () => {
    quote = { kind: "not_ready", reason: "ETH price stale" };
    await expect(createIntent(database.db, [chain], account, { chain: "eip155:1", asset: "ETH", amount_usd: "20" }, new Date(), 60_000)).rejects.toSatisfy(
      (error: unknown) => error instanceof AppError && error.httpStatus === 503 && /stale/.test(error.message),
    );
  });
});
