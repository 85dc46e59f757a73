/**
 * Billing over the database ledger. A request's worst case is reserved inside a hold shared with
 * the account's other requests (hold-leases.ts), so the request path rarely waits for the
 * database; the process renews its leases' short TTL in the background, so a dead process's
 * reservations are freed within a minute. A finished request is concluded in the background by one batch writer: the charges
 * of every request finished since the last write, and their generation records, go to the
 * database in a single statement — one round trip and one transaction per batch, not per
 * request (the first charge waits up to `writeDelayMs` for others). A transaction Postgres aborts as a
 * deadlock or serialization failure rolled back completely, so it is retried (a few times, with
 * jitter); a batch that fails otherwise has its charges written apart from its records, so a bad
 * record cannot leave its own request or the others unbilled. Every charge is idempotent per
 * generation id.
 */
import { preparedRows, type Db } from "../db/client.js";
import { WriteBatcher, type FlushOutcome } from "../db/write-batcher.js";
import { epochMs, systemClock } from "../domain/clock.js";
import { endHolds, placeHold, renewHolds, type HoldEnding } from "../ledger/index.js";
import { insertGenerations } from "./generation-rows.js";
import { InFlightCount } from "./in-flight-count.js";
import { HoldLeases } from "./hold-leases.js";
import type { Billing, Conclusion, GenerationRecord } from "./ports.js";

/**
 * How long a lease's hold lives unless its process renews it: a process that dies (kill -9, a
 * crash) stops renewing, and the expiry worker frees what it reserved within this plus one pass.
 */
export const DEFAULT_HOLD_TTL_MS = 30_000;
/** A lease this old takes no new requests and is released once drained (renewal keeps it alive until then). */
const LEASE_MAX_AGE_MS = 30 * 60_000;
const ATTEMPTS = 4;
/**
 * How long a finished request's charge waits for others before they are written together: a
 * batch's statement, transaction and wake-ups of Postgres cost more than its rows (Postgres CPU per
 * request at 500 requests/s: 0.25 ms with 10 ms, 0.12 ms with 40 ms), and no client waits for
 * this write: the request's reservation covers it, and its record is served from memory meanwhile.
 */
export const DEFAULT_WRITE_DELAY_MS = 50;
/**
 * The most charges one write takes; a longer queue (after a stall, or while Postgres is slow) is
 * written in several writes, one after another without waiting. Building a write's statement runs
 * on the event loop in one go, ≈11 µs per charge with its record (0.63 ms for 50, 1.15 ms for 100,
 * 5.5 ms for 500, measured on the 2-core VM), so this bounds what one write pauses every request
 * of the process for; at 1,000 requests/s a 50 ms delay gathers ≈50.
 */
const MAX_WRITE_BATCH = 100;
/** A lease nobody reserved in for this long is released. */
export const DEFAULT_LEASE_IDLE_MS = 1_000;

/** Settings of the ledger billing. */
export interface LedgerBillingOptions {
  /** A lease's hold TTL; the live process renews its leases every third of it. */
  holdTtlMs?: number;
  /** How long a finished request's charge waits for others to share its write (DEFAULT_WRITE_DELAY_MS). */
  writeDelayMs?: number;
  /** How long a lease nobody reserves in stays open (DEFAULT_LEASE_IDLE_MS). */
  leaseIdleMs?: number;
  clock?: () => Date;
  /** Receives failures of background ledger work (they never reach a client). */
  onError?: (error: unknown) => void;
}

/** One item of a write: a charge or a hold's end, a generation record, or both. */
interface Write {
  ending?: HoldEnding;
  record?: GenerationRecord;
}

/** Billing on `db`. */
export function createLedgerBilling(db: Db, options: LedgerBillingOptions = {}): Billing {
  const holdTtlMs = options.holdTtlMs ?? DEFAULT_HOLD_TTL_MS;
  const clock = options.clock ?? systemClock;
  const onError = options.onError ?? (() => undefined);
  const writer = new WriteBatcher((batch: Write[]) => writeAll(db, batch, clock, onError), {
    maxDelayMs: options.writeDelayMs ?? DEFAULT_WRITE_DELAY_MS,
    maxBatch: MAX_WRITE_BATCH,
  });
  // conclusions in flight: drain() waits for none to be left (their failures are reported where they happen)
  const concluding = new InFlightCount();
  const unwritten = new Map<string, GenerationRecord>();
  const leases = new HoldLeases({
    nowMs: epochMs(clock),
    maxAgeMs: LEASE_MAX_AGE_MS,
    idleMs: options.leaseIdleMs ?? DEFAULT_LEASE_IDLE_MS,
    renewEveryMs: holdTtlMs / 3,
    renew: (holdIds) => retryTransient(() => renewHolds(db, holdIds, new Date(clock().getTime() + holdTtlMs))),
    place: ({ caller, amountNano, upToNano, now }) => {
      const key = { keyId: caller.keyId, limitNano: caller.limit?.limitNano ?? null, windowStart: caller.limit?.windowStart ?? new Date(0) };
      return retryTransient(() => placeHold(db, { accountId: caller.accountId, amountNano, upToNano, key, now, ttlMs: holdTtlMs }));
    },
    release: (holdId) => writer.add({ ending: { holdId, usageNano: 0n, feeNano: 0n } }),
    ...(options.onError ? { onError: options.onError } : {}),
  });
  const conclude = async ({ holdId, reservedNano, usageNano, feeNano, metadata, record }: Conclusion): Promise<void> => {
    unwritten.set(record.id, record);
    const ending = holdId ? { holdId, usageNano, feeNano, metadata, chargeKey: record.id } : undefined;
    try {
      // two literals, not a spread of an optional part: after the spread V8 added `record` through its runtime (0.8 % of a saturated process's CPU; bench/RESULTS.md, "The request path, looked at again")
      await leases.charge(holdId, reservedNano, usageNano + feeNano, () => writer.add(ending ? { ending, record } : { record }));
    } finally {
      unwritten.delete(record.id);
    }
  };
  return {
    // a request that can cost nothing reserves nothing
    reserve: ({ caller, amountNano, now }) => (amountNano === 0n ? Promise.resolve({ ok: true, holdId: "" }) : leases.reserve(caller, amountNano, now)),
    conclude(conclusion) {
      const task = conclude(conclusion);
      concluding.track(task);
      return task;
    },
    async drain() {
      const done = writer.hurry();
      try {
        await concluding.whenNone();
        await leases.drain();
      } finally {
        done();
      }
    },
    unwritten: (generationId) => unwritten.get(generationId),
  };
}

/**
 * Writes one batch: its charges and records in one statement. On a lasting failure the charges
 * are written apart from the records (together, else each alone), then the records, so a record
 * that cannot be stored never takes a charge down with it: served means charged. An item fails
 * only when its charge does; a record that still cannot be stored is reported to `onError`.
 */
async function writeAll(db: Db, batch: readonly Write[], clock: () => Date, onError: (error: unknown) => void): Promise<FlushOutcome> {
  try {
    await retryTransient(() => writeBatch(db, batch, clock()));
    return;
  } catch (error) {
    if (batch.length === 1 && !batch[0]?.record) throw error;
  }
  const charges = batch.map((write): Write => (write.ending ? { ending: write.ending } : {}));
  const chargeErrors = await eachOrAll(charges, (part) => writeBatch(db, part, clock()));
  const records = batch.map((write): Write => (write.record ? { record: write.record } : {}));
  const recordErrors = await eachOrAll(records, (part) => writeBatch(db, part, clock()));
  recordErrors.forEach((error, index) => {
    const record = batch[index]?.record;
    if (error !== undefined && record) onError(new Error(`generation ${record.id} was charged but its record could not be stored`, { cause: error }));
  });
  return chargeErrors;
}

/** Writes `items` in one go, or, when that fails for good, each alone; returns each one's error. */
async function eachOrAll(items: readonly Write[], write: (items: readonly Write[]) => Promise<void>): Promise<unknown[]> {
  const present = items.filter((item) => item.ending ?? item.record);
  if (present.length === 0) return items.map(() => undefined);
  try {
    await retryTransient(() => write(present));
    return items.map(() => undefined);
  } catch (error) {
    if (present.length === 1) return items.map((item) => (item.ending ?? item.record ? error : undefined));
  }
  return Promise.all(
    items.map((item) =>
      item.ending ?? item.record
        ? retryTransient(() => write([item])).then(
            () => undefined,
            (error: unknown) => error,
          )
        : undefined,
    ),
  );
}

async function writeBatch(db: Db, batch: readonly Write[], now: Date): Promise<void> {
  const records = batch.flatMap((write) => (write.record ? [write.record] : []));
  const endings = batch.flatMap((write) => (write.ending ? [write.ending] : []));
  const storeRecords = records.length > 0 ? insertGenerations(records) : undefined;
  if (endings.length === 0) {
    if (storeRecords) await preparedRows(db, storeRecords);
    return;
  }
  const results = await endHolds(db, endings, now, storeRecords);
  results.forEach((result, index) => {
    // a charge already written (a retried batch that had committed) is fine; anything else lost money
    if (!result.ok && result.reason !== "duplicate" && endings[index]?.chargeKey !== undefined) {
      throw new Error(`charge ${endings[index]?.chargeKey} on hold ${endings[index]?.holdId}: ${result.reason}`);
    }
  });
}

/** Postgres SQLSTATEs of transactions aborted only because of concurrency. */
const TRANSIENT = /deadlock detected|could not serialize access|40P01|40001/;

function isTransient(error: unknown): boolean {
  for (let current: unknown = error; current; current = (current as { cause?: unknown }).cause) {
    const { code, message } = current as { code?: unknown; message?: unknown };
    if (code === "40P01" || code === "40001" || (typeof message === "string" && TRANSIENT.test(message))) return true;
  }
  return false;
}

async function retryTransient<T>(operation: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await operation();
    } catch (error) {
      if (attempt >= ATTEMPTS || !isTransient(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));
    }
  }
}
