import { nanoToUsdNumber, nanoToUsdString } from "../domain/money.js";
import type { ActivityGroup, ActivityResult, ActivityTotals } from "./activity.js";
import { endpointOf } from "./aggregate.js";

/** A provider's display name from its slug (the slug itself when unknown). */
export type ProviderNames = (slug: string) => string;

/** Wire name of each farebox group column (group_by=…); OpenRouter's endpoint rows have several. */
const GROUP_FIELD: Record<Exclude<ActivityGroup, "endpoint">, string> = {
  day: "date",
  model: "model",
  provider: "provider_name",
  key: "api_key_id",
  app: "app",
};

/** One /activity row on the wire. USD as numbers formatted from exact nano amounts. */
export type ActivityWireRow = Record<string, string | number | null>;

/**
 * The columns naming a row's group. OpenRouter's rows (the default grouping) are one day of one
 * model at one provider: `date`, `model`, `model_permaslug`, `endpoint_id` (farebox's
 * `<model>@<provider>` endpoint id) and `provider_name`.
 */
function groupColumns(groupBy: ActivityGroup, group: string, providerName: ProviderNames): ActivityWireRow {
  if (groupBy !== "endpoint") return { [GROUP_FIELD[groupBy]]: group };
  const { model, provider } = endpointOf(group.slice(11));
  return { date: group.slice(0, 10), model, model_permaslug: model, endpoint_id: group.slice(11), provider_name: providerName(provider) };
}

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
export function activityJson(result: ActivityResult, providerName: ProviderNames = (slug) => slug): { data: ActivityWireRow[]; totals: ActivityWireRow } {
  return {
    data: result.rows.map((row) => ({ ...groupColumns(result.groupBy, row.group, providerName), ...wireTotals(row, nanoToUsdNumber) })),
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
export function activityCsv(result: ActivityResult, providerName: ProviderNames = (slug) => slug): string {
  const rows = result.rows.map((row) => ({ ...groupColumns(result.groupBy, row.group, providerName), ...wireTotals(row, nanoToUsdString) }));
  const groupHeader = Object.keys(groupColumns(result.groupBy, "0000-00-00 m@p", providerName));
  const header = [...groupHeader, ...Object.keys(wireTotals(result.totals, nanoToUsdString))];
  const lines = [header.join(",")];
  for (const row of rows) lines.push(header.map((name) => csvField(row[name] ?? null)).join(","));
  return `${lines.join("\r\n")}\r\n`;
}
