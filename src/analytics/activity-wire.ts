import { nanoToUsdNumber, nanoToUsdString } from "../domain/money.js";
import type { ActivityGroup, ActivityResult, ActivityTotals } from "./activity.js";

/** Wire name of each group column (OpenRouter's /activity uses `date`, `model`, `provider_name`). */
const GROUP_FIELD: Record<ActivityGroup, string> = {
  day: "date",
  model: "model",
  provider: "provider_name",
  key: "api_key_id",
  app: "app",
};

/** One /activity row on the wire. USD as numbers formatted from exact nano amounts. */
export type ActivityWireRow = Record<string, string | number | null>;

function wireTotals(t: ActivityTotals, usd: (nano: bigint) => number | string): ActivityWireRow {
  return {
    requests: t.requests,
    prompt_tokens: t.promptTokens,
    completion_tokens: t.completionTokens,
    reasoning_tokens: t.reasoningTokens,
    cached_tokens: t.cachedTokens,
    usage: usd(t.creditUsageNano + t.feeNano),
    usage_inference: usd(t.creditUsageNano),
    fees: usd(t.feeNano),
    byok_usage_inference: usd(t.byokUpstreamNano),
    byok_requests: t.byokRequests,
    errors: t.errors,
    error_rate: t.requests === 0 ? 0 : Math.round((t.errors / t.requests) * 10000) / 10000,
    latency_p50_ms: t.latencyP50Ms,
    latency_p95_ms: t.latencyP95Ms,
    ttft_p50_ms: t.ttftP50Ms,
    ttft_p95_ms: t.ttftP95Ms,
  };
}

/**
 * `{data:[rows], totals}` for GET /api/v1/activity. `usage` is what was debited from credit
 * (provider cost + fee: the sum of the ledger's usage and fee entries); `byok_usage_inference`
 * is what the account's own keys were charged by providers.
 */
export function activityJson(result: ActivityResult): { data: ActivityWireRow[]; totals: ActivityWireRow } {
  const field = GROUP_FIELD[result.groupBy];
  return {
    data: result.rows.map((row) => ({ [field]: row.group, ...wireTotals(row, nanoToUsdNumber) })),
    totals: wireTotals(result.totals, nanoToUsdNumber),
  };
}

/** RFC 4180 field: quoted when it holds a comma, quote or line break; formula prefixes neutralised. */
function csvField(value: string | number | null): string {
  if (value === null) return "";
  let text = String(value);
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The same rows as CSV (CRLF line ends, header first); USD as exact decimal strings. */
export function activityCsv(result: ActivityResult): string {
  const field = GROUP_FIELD[result.groupBy];
  const rows = result.rows.map((row) => ({ [field]: row.group, ...wireTotals(row, nanoToUsdString) }));
  const header = [field, ...Object.keys(wireTotals(result.totals, nanoToUsdString))];
  const lines = [header.join(",")];
  for (const row of rows) lines.push(header.map((name) => csvField(row[name] ?? null)).join(","));
  return `${lines.join("\r\n")}\r\n`;
}
