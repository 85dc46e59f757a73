import { z } from "zod";
import { nanoToUsdNumber } from "../../domain/money.js";
import { usageInLimitWindow, type ApiKey, type KeyUsage } from "../../keys/index.js";
import { presentRateLimit } from "../rate-limit-wire.js";
import { DEFAULT_WORKSPACE_ID } from "./workspace.js";

/** A key's request budget as the wire shows it (`requests: -1` when it has none). */
export const rateLimitWire = z.object({ requests: z.int(), interval: z.string(), note: z.string() });

/** The wire shape `presentKey` writes (OpenRouter's Key). */
export const keyWire = z
  .object({
    hash: z.string(),
    name: z.string(),
    label: z.string(),
    disabled: z.boolean(),
    limit: z.number().nullable(),
    limit_remaining: z.number().nullable(),
    limit_reset: z.enum(["daily", "weekly", "monthly"]).nullable(),
    include_byok_in_limit: z.boolean(),
    usage: z.number(),
    usage_daily: z.number(),
    usage_weekly: z.number(),
    usage_monthly: z.number(),
    byok_usage: z.number(),
    byok_usage_daily: z.number(),
    byok_usage_weekly: z.number(),
    byok_usage_monthly: z.number(),
    is_management_key: z.boolean(),
    is_provisioning_key: z.boolean(),
    created_at: z.string(),
    updated_at: z.string(),
    expires_at: z.string().nullable(),
    creator_user_id: z.string(),
    rate_limit: rateLimitWire,
    is_free_tier: z.boolean(),
    external_user: z.null(),
    allowed_data_regions: z.null(),
    workspace_id: z.string(),
  })
  .meta({ id: "Key" });

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
