/**
 * The end of a request, in one place: conclude → charge → record → notify.
 *
 * - charge: what a served answer owes, by one rule for complete answers and streams alike
 *   (billed-usage.ts: reported usage or an estimate, and when nothing is owed), priced at the
 *   serving endpoint's terms (settlement.ts);
 * - record: the generation record (generation-record.ts), written by billing together with the
 *   charge (a hold settled, or voided when nothing is owed);
 * - notify: once both are written, the "generation settled" port (`onSettled`: rollups, metrics).
 *
 * All of it runs after the answer is on its way (the reservation already guarantees the money);
 * `drain()` waits for it, then gives back the holds no request is using (shutdown, tests).
 */
import type { Usage } from "../providers/spec.js";
import type { PlannedAttempt } from "../routing/types.js";
import { billedUsage, owesNothing, type AnswerEnd, type BilledUsage } from "./billed-usage.js";
import { generationRecord, type EndingRequest, type Outcome } from "./generation-record.js";
import { InFlightCount } from "./in-flight-count.js";
import type { Billing, OnSettled } from "./ports.js";
import type { Prepared, PreparedInput } from "./prepare.js";
import { NO_CHARGE, settleAttempt, type Settlement } from "./settlement.js";
import { storableGeneration } from "./storable-generation.js";

/** What a served attempt delivered, as the complete answer or the stream saw it. */
export interface Delivered extends AnswerEnd {
  /** The usage the upstream reported; undefined when it reported none. */
  reported: Usage | undefined;
}

/** What a served answer is billed on and charged. */
export interface Charged {
  usage: Usage;
  usageEstimated: boolean;
  settlement: Settlement;
}

/** What the end of a request is built from. */
export interface RequestEndDeps {
  billing: Billing;
  /** Fee on credit-funded requests in basis points (500 = 5%). */
  feeBps: number;
  onSettled?: OnSettled | undefined;
  /** Receives failures of background work (they never reach the client). */
  onError?: ((error: unknown) => void) | undefined;
}

/** The end of every request of one gateway. */
export interface RequestEnd {
  /** The charge for what a served attempt delivered. */
  charge(prepared: Prepared<PreparedInput>, attempt: PlannedAttempt, delivered: Delivered): Charged;
  /** The charge for usage already decided (a request that delivers no text: embeddings). */
  settle(prepared: Prepared<PreparedInput>, attempt: PlannedAttempt, billed: BilledUsage): Charged;
  /** Ends the request in the background: its charge and record written, then `onSettled` told. */
  conclude(request: EndingRequest, outcome: Outcome): void;
  /** Runs other work of a request in the background, waited for by `drain`. */
  inBackground(work: Promise<void>): void;
  /** Waits for everything started so far, then gives back the holds no request is using. */
  drain(): Promise<void>;
}

/** Builds the end of requests; creating it performs no I/O. */
export function createRequestEnd(deps: RequestEndDeps): RequestEnd {
  const onError = deps.onError ?? (() => undefined);
  const pending = new Set<Promise<void>>();
  // conclusions whose charge, record and notification are not done yet: counted, not kept in `pending`
  const concluding = new InFlightCount(onError);
  const track = (work: Promise<void>): void => {
    if (pending.has(work)) return;
    const task = work.catch(onError);
    pending.add(work);
    void task.finally(() => pending.delete(work));
  };

  /** Tells the port; a listener that batches returns one promise for many generations, tracked once. */
  const notify = (record: Parameters<OnSettled>[0]): void => {
    try {
      const listening = deps.onSettled?.(record);
      if (listening) track(listening);
    } catch (error) {
      onError(error);
    }
  };

  const settle = (prepared: Prepared<PreparedInput>, attempt: PlannedAttempt, { usage, usageEstimated }: BilledUsage): Charged => ({
    usage,
    usageEstimated,
    settlement: settleAttempt(attempt, usage, prepared.images, deps.feeBps, prepared.quote.reservedNano),
  });

  return {
    charge(prepared, attempt, delivered) {
      const billed = billedUsage(delivered.reported, delivered.producedChars, prepared.promptTokensEstimate);
      return owesNothing(delivered, billed.usage) ? { ...billed, settlement: NO_CHARGE } : settle(prepared, attempt, billed);
    },

    settle,

    conclude(request, outcome) {
      const { prepared } = request;
      const { settlement } = outcome;
      const record = storableGeneration(generationRecord(request, outcome));
      // assigned in place rather than spread from optional parts: this runs on every request
      const metadata: Record<string, string> = { generation_id: prepared.id };
      if (outcome.kind === "served") {
        metadata.model = outcome.attempt.model.id;
        metadata.provider = outcome.attempt.endpoint.provider.slug;
      }
      // kept with the charge too, so it is known even for a record that could not be stored
      if (settlement.uncollectedNano > 0n) metadata.uncollected_nano = settlement.uncollectedNano.toString();
      const written = deps.billing.conclude({
        holdId: prepared.holdId,
        reservedNano: prepared.quote.reservedNano,
        usageNano: settlement.usageNano,
        feeNano: settlement.feeNano,
        metadata,
        record,
      });
      // the listener's wait is tracked apart, so a finished request's state is not kept alive until it is done
      concluding.track(written.then(() => notify(record)));
    },

    inBackground: track,

    async drain() {
      const billingDrained = deps.billing.drain();
      try {
        while (concluding.size > 0 || pending.size > 0) {
          if (concluding.size > 0) await concluding.whenNone();
          else await Promise.allSettled([...pending]);
        }
      } finally {
        await billingDrained;
      }
    },
  };
}
