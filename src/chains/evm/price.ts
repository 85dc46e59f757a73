/**
 * Chainlink AggregatorV3 price reads with the checks audits keep finding missing (chains.md §2.7):
 * answer > 0 and a per-feed maximum age. A stale or bad answer is a typed "not yet", never a guess.
 */
import type { Address, PublicClient } from "viem";
import { aggregatorV3Abi } from "./abis.js";

/** A usable price: `answer` USD per whole unit, scaled by 10^decimals. */
export interface FeedPrice {
  kind: "price";
  answer: bigint;
  decimals: number;
  roundId: bigint;
  updatedAt: bigint;
}

/** The feed cannot be used right now; crediting waits and retries. */
export interface FeedNotReady {
  kind: "not_ready";
  reason: "stale" | "future" | "non_positive" | "unreadable";
  detail: string;
}

/** How far ahead of this process's clock a feed's `updatedAt` may be (block timestamps and clocks drift a little). */
export const FEED_FUTURE_TOLERANCE_S = 60;

/** Reads `latestRoundData` and `decimals`; `now` is passed in so tests control the clock. */
export async function readFeedPrice(
  client: PublicClient,
  feed: Address,
  maxAgeSeconds: number,
  now: Date,
): Promise<FeedPrice | FeedNotReady> {
  let round: readonly [bigint, bigint, bigint, bigint, bigint];
  let decimals: number;
  try {
    [round, decimals] = await Promise.all([
      client.readContract({ address: feed, abi: aggregatorV3Abi, functionName: "latestRoundData" }),
      client.readContract({ address: feed, abi: aggregatorV3Abi, functionName: "decimals" }),
    ]);
  } catch (error) {
    return { kind: "not_ready", reason: "unreadable", detail: error instanceof Error ? error.message.split("\n")[0]! : String(error) };
  }
  const [roundId, answer, , updatedAt] = round;
  if (answer <= 0n) return { kind: "not_ready", reason: "non_positive", detail: `feed ${feed} answered ${answer}` };
  const nowSeconds = BigInt(Math.floor(now.getTime() / 1000));
  const age = nowSeconds - updatedAt;
  if (age < -BigInt(FEED_FUTURE_TOLERANCE_S)) {
    // A round dated ahead of our clock is not "very fresh": it is a broken feed or a broken clock.
    return { kind: "not_ready", reason: "future", detail: `feed ${feed} answer is dated ${-age}s in the future` };
  }
  if (updatedAt === 0n || age > BigInt(maxAgeSeconds)) {
    return { kind: "not_ready", reason: "stale", detail: `feed ${feed} last updated ${age}s ago (max ${maxAgeSeconds}s)` };
  }
  return { kind: "price", answer, decimals, roundId, updatedAt };
}

/**
 * Value of `amountBaseUnits` (token with `tokenDecimals`) in nano-USD at `price`, rounded down:
 * deposits round down so the user never gains a nano-dollar (DESIGN.md §2).
 */
export function baseUnitsToNano(amountBaseUnits: bigint, tokenDecimals: number, price?: { answer: bigint; decimals: number }): bigint {
  if (!price) return (amountBaseUnits * 10n ** 9n) / 10n ** BigInt(tokenDecimals);
  return (amountBaseUnits * price.answer * 10n ** 9n) / 10n ** BigInt(tokenDecimals + price.decimals);
}
