import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import type { Address } from "viem";
import { startAnvil, artifact, type Anvil } from "../../support/anvil.js";
import { readFeedPrice, baseUnitsToNano } from "../../../src/chains/evm/price.js";
import { aggregatorV3Abi, erc20Abi } from "../../../src/chains/evm/abis.js";

let anvil: Anvil;
let feed: Address;
const feedAbi = artifact("MockAggregator").abi;
const NOW = new Date("2026-11-23T12:00:00Z");
const nowSeconds = BigInt(NOW.getTime() / 1000);

async function setRound(answer: bigint, updatedAt: bigint) {
  const hash = await anvil.wallet(0).writeContract({ address: feed, abi: feedAbi, functionName: "setRound", args: [answer, updatedAt] });
  await anvil.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 20 });
}

beforeAll(async () => {
  anvil = await startAnvil();
  feed = await anvil.deploy("MockAggregator");
});
afterAll(async () => {
  await anvil?.stop();
});

describe("Chainlink price reads", () => {
  it("returns a fresh positive answer with its round and decimals", async () => {
    await setRound(3_000_12345678n, nowSeconds - 60n);
    const price = await readFeedPrice(anvil.publicClient, feed, 3600, NOW);
    expect(price).toEqual({ kind: "price", answer: 3_000_12345678n, decimals: 8, roundId: 1n, updatedAt: nowSeconds - 60n });
  });

  it("refuses a stale answer instead of guessing", async () => {
    await setRound(3_000_00000000n, nowSeconds - 3601n);
    const price = await readFeedPrice(anvil.publicClient, feed, 3600, NOW);
    expect(price).toMatchObject({ kind: "not_ready", reason: "stale" });
    expect(await readFeedPrice(anvil.publicClient, feed, 7200, NOW)).toMatchObject({ kind: "price", roundId: 2n });
  });

  it("refuses an answer dated in the future instead of taking it for fresh", async () => {
    await setRound(3_000_00000000n, nowSeconds + 3_600n);
    expect(await readFeedPrice(anvil.publicClient, feed, 3600, NOW)).toMatchObject({ kind: "not_ready", reason: "future" });
    await setRound(3_000_00000000n, nowSeconds + 30n);
    expect(await readFeedPrice(anvil.publicClient, feed, 3600, NOW)).toMatchObject({ kind: "price" });
  });

  it("refuses zero or negative answers and unreadable feeds", async () => {
    await setRound(0n, nowSeconds);
    expect(await readFeedPrice(anvil.publicClient, feed, 3600, NOW)).toMatchObject({ kind: "not_ready", reason: "non_positive" });
    await setRound(-5n, nowSeconds);
    expect(await readFeedPrice(anvil.publicClient, feed, 3600, NOW)).toMatchObject({ kind: "not_ready", reason: "non_positive" });
    const notAFeed = "0x0000000000000000000000000000000000001234";
    expect(await readFeedPrice(anvil.publicClient, notAFeed, 3600, NOW)).toMatchObject({ kind: "not_ready", reason: "unreadable" });
  });

  it("converts base units to nano-USD exactly, rounding down", () => {
    expect(baseUnitsToNano(12_345_678n, 6)).toBe(12_345_678_000n);
    // 0.5 ETH at $3000.12345678 = $1500.06172839 → nano-USD (floor)
    expect(baseUnitsToNano(5n * 10n ** 17n, 18, { answer: 3_000_12345678n, decimals: 8 })).toBe(1_500_061_728_390n);
    // 1 wei at $3000 is 3e-15 USD: rounds down to 0, never up.
    expect(baseUnitsToNano(1n, 18, { answer: 3_000_00000000n, decimals: 8 })).toBe(0n);
  });

  it("the typed ABIs equal the JSON files in contracts-abi", () => {
    const read = (name: string) => JSON.parse(readFileSync(new URL(`../../../contracts-abi/${name}`, import.meta.url), "utf8")) as { source: string; abi: unknown };
    expect(read("erc20.json").abi).toEqual(JSON.parse(JSON.stringify(erc20Abi)));
    expect(read("aggregator-v3.json").abi).toEqual(JSON.parse(JSON.stringify(aggregatorV3Abi)));
    expect(read("erc20.json").source).toMatch(/eip-20/i);
  });
});
