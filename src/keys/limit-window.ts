export type LimitReset = "daily" | "weekly" | "monthly";

const EPOCH = new Date(0);

/**
 * Start of the current limit window in UTC: midnight for daily, Monday midnight for weekly,
 * the first of the month for monthly. A limit that never resets counts from the epoch.
 */
export function limitWindowStart(reset: LimitReset | null, now: Date): Date {
  const year = now.getUTCFullYear();
  const month = now.getUTCMonth();
  const day = now.getUTCDate();
  switch (reset) {
    case "daily":
      return new Date(Date.UTC(year, month, day));
    case "weekly": {
      const daysSinceMonday = (now.getUTCDay() + 6) % 7;
      return new Date(Date.UTC(year, month, day - daysSinceMonday));
    }
    case "monthly":
      return new Date(Date.UTC(year, month, 1));
    case null:
      return EPOCH;
  }
}
