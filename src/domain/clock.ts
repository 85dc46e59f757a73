/**
 * The clock a process runs on, injected wherever time is read so tests can set it. Most readers
 * want only epoch milliseconds (leases, caches, rate limits, timings: ≈7 reads per request); with
 * the system clock they take Date.now instead of a Date built and read each time.
 */

/** The system clock (tests inject their own `() => Date`). */
export const systemClock = (): Date => new Date();

/** Epoch milliseconds of `clock`: Date.now when it is the system clock, no Date built. */
export function epochMs(clock: () => Date): () => number {
  // Date is looked up on each call, as `new Date()` is: fake timers installed later still apply
  return clock === systemClock ? () => Date.now() : () => clock().getTime();
}
