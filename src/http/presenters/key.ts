import { nanoToUsdNumber } from "../../domain/money.js";
import { usageInLimitWindow, type ApiKey, type KeyUsage } from "../../keys/index.js";
import { presentRateLimit } from "../rate-limit-wire.js";
import { DEFAULT_WORKSPACE_ID } from "./workspace.js";

/**
 * A key in OpenRouter's Key shape (reference §4): money in USD, the sha256 `hash` as the id.
 * BYOK spend is reported separately once the account has provider keys; `rate_limit` is the
 * key's request budget (`requests: -1` when it has none). Fields for concepts farebox lacks
 * (free tier, workspaces, data regions) carry the honest constant.
 */
export function presentKey(key: ApiKey, usage: KeyUsage, byokUsage?: Record<string, number>) {
  const limitRemaining =
    key.limitNano === null ? null : nanoToUsdNumber(maxZero(key.limitNano - usageInLimitWindow(usage, key.limitReset)));
  return {
    hash: key.hash,
    name: key.name,
    label: key.label,
    disabled: key.disabled,
    limit: key.limitNano === null ? null : nanoToUsdNumber(key.limitNano),
    limit_remaining: limitRemaining,
    limit_reset: key.limitReset,
    include_byok_in_limit: key.includeByokInLimit,
    usage: nanoToUsdNumber(usage.totalNano),
    usage_daily: nanoToUsdNumber(usage.dailyNano),
    usage_weekly: nanoToUsdNumber(usage.weeklyNano),
    usage_monthly: nanoToUsdNumber(usage.monthlyNano),
    byok_usage: 0,
    byok_usage_daily: 0,
    byok_usage_weekly: 0,
    byok_usage_monthly: 0,
    ...byokUsage,
    is_management_key: key.kind === "management",
    is_provisioning_key: key.kind === "management",
    created_at: key.createdAt.toISOString(),
    updated_at: key.updatedAt.toISOString(),
    expires_at: key.expiresAt?.toISOString() ?? null,
    creator_user_id: key.accountId,
    rate_limit: presentRateLimit(key),
    // farebox has no free tier, no per-user keys and no data-region pinning
    is_free_tier: false,
    external_user: null,
    allowed_data_regions: null,
    workspace_id: DEFAULT_WORKSPACE_ID,
  };
}

function maxZero(value: bigint): bigint {
  return value < 0n ? 0n : value;
}
