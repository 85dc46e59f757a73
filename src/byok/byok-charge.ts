import { computeCharge, type Pricing, type TokenUsage } from "../domain/charge.js";
import { AppError } from "../domain/errors.js";
import type { Nano } from "../domain/money.js";
import type { ByokCredential } from "./byok-plan.js";

/** What a BYOK generation costs: the provider bills the account's key; farebox takes only its fee. */
export interface ByokCharge {
  /** Debited from credit as usage: always 0 (the provider charged the account's own key). */
  usageNano: Nano;
  /** fees.byok_bps of the list price, debited from credit (0 by default). */
  feeNano: Nano;
  /** usage.cost on the wire: the fee only. */
  chargedNano: Nano;
  /** cost_details.upstream_inference_cost: what the provider charged the account's key at list price. */
  upstreamInferenceCostNano: Nano;
}

/**
 * Prices a BYOK generation through the one pricing function: the list price becomes the
 * upstream inference cost, the fee is `ceil(base × byok_bps / 10000)`.
 */
export function byokCharge(usage: TokenUsage, pricing: Pricing, byokFeeBps: number): ByokCharge {
  const charge = computeCharge(usage, pricing, byokFeeBps);
  return { usageNano: 0n, feeNano: charge.feeNano, chargedNano: charge.feeNano, upstreamInferenceCostNano: charge.baseNano };
}

/**
 * The error a client sees when the provider refused the account's own key (401/403) and no
 * shared fallback was allowed: names the provider and the key's last four characters only,
 * and says how to fix it.
 */
export function byokKeyRejected(credential: Pick<ByokCredential, "provider"> & { secret: { readonly lastFour: string } }, upstreamStatus: number): AppError {
  const status = upstreamStatus === 403 ? 403 : 401;
  return new AppError(
    `Your ${credential.provider} key (…${credential.secret.lastFour}) was rejected by ${credential.provider} (HTTP ${upstreamStatus}). ` +
      `Replace it with PUT /api/v1/byok/${credential.provider}; shared capacity takes over only where the operator offers it, ` +
        `the key is not marked always_use, and your balance pays for it.`,
    {
      httpStatus: status,
      errorType: status === 403 ? "permission_denied" : "authentication",
      metadata: { provider: credential.provider, is_byok: true, upstream_status: upstreamStatus, byok_key_last_four: credential.secret.lastFour },
    },
  );
}

/** Whether an upstream status means the provider refused the key itself. */
export function isKeyRejection(upstreamStatus: number | null | undefined): boolean {
  return upstreamStatus === 401 || upstreamStatus === 403;
}
