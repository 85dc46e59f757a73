import type { Labels, Metric, MetricsRegistry, SampleValue } from "./registry.js";

/** Content-Type of the Prometheus text exposition format 0.0.4. */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** Escapes a label value: backslash, double quote and line feed (exposition format spec). */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** Escapes HELP text: backslash and line feed. */
export function escapeHelp(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

/** Formats a sample value as Go's strconv would for Prometheus: NaN, +Inf, -Inf or a decimal. */
export function formatValue(value: SampleValue): string {
  if (typeof value === "bigint") return value.toString();
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}

function formatLabels(labelNames: readonly string[], labels: Labels, extra?: [string, string]): string {
  const parts = labelNames
    .filter((name) => labels[name] !== undefined)
    .map((name) => `${name}="${escapeLabelValue(labels[name] ?? "")}"`);
  if (extra) parts.push(`${extra[0]}="${escapeLabelValue(extra[1])}"`);
  return parts.length === 0 ? "" : `{${parts.join(",")}}`;
}

async function renderMetric(metric: Metric): Promise<string[]> {
  const lines = [`# HELP ${metric.name} ${escapeHelp(metric.help)}`, `# TYPE ${metric.name} ${metric.type}`];
  if ("read" in metric) {
    for (const series of await metric.read()) {
      lines.push(`${metric.name}${formatLabels(metric.labelNames, series.labels)} ${formatValue(series.value)}`);
    }
    return lines;
  }
  if (metric.type === "histogram") {
    for (const { labels, value } of metric.collect()) {
      let cumulative = 0;
      metric.buckets.forEach((bound, index) => {
        cumulative += value.counts[index] ?? 0;
        lines.push(`${metric.name}_bucket${formatLabels(metric.labelNames, labels, ["le", formatValue(bound)])} ${cumulative}`);
      });
      lines.push(`${metric.name}_bucket${formatLabels(metric.labelNames, labels, ["le", "+Inf"])} ${value.count}`);
      lines.push(`${metric.name}_sum${formatLabels(metric.labelNames, labels)} ${formatValue(value.sum)}`);
      lines.push(`${metric.name}_count${formatLabels(metric.labelNames, labels)} ${value.count}`);
    }
    return lines;
  }
  for (const { labels, value } of metric.collect()) {
    lines.push(`${metric.name}${formatLabels(metric.labelNames, labels)} ${formatValue(value)}`);
  }
  return lines;
}

/**
 * Renders the registry in the Prometheus text format
 * (https://prometheus.io/docs/instrumenting/exposition_formats/): HELP and TYPE once per
 * metric, one line per series, histograms as cumulative `_bucket{le}` + `_sum` + `_count`,
 * every line ending in a line feed. A scrape-time gauge that fails is skipped and counted in
 * `farebox_metrics_collect_errors` instead of failing the whole scrape.
 */
export async function renderMetrics(registry: MetricsRegistry): Promise<string> {
  const out: string[] = [];
  let failures = 0;
  for (const metric of registry.metrics()) {
    try {
      out.push(...(await renderMetric(metric)));
    } catch {
      failures += 1;
    }
  }
  out.push("# HELP farebox_metrics_collect_errors Scrape-time collectors that failed during this scrape.");
  out.push("# TYPE farebox_metrics_collect_errors gauge");
  out.push(`farebox_metrics_collect_errors ${failures}`);
  return `${out.join("\n")}\n`;
}
