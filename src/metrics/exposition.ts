import { Registry } from "prom-client";
import type { Labels, MetricsRegistry, NanoUsdGauge } from "./registry.js";

/** Content-Type of the Prometheus text exposition format 0.0.4. */
export const PROMETHEUS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

/** Escapes a label value: backslash, double quote and line feed (exposition format spec). */
function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** Escapes HELP text: backslash and line feed. */
function escapeHelp(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

function formatLabels(labelNames: readonly string[], labels: Labels): string {
  const parts = labelNames.filter((name) => labels[name] !== undefined).map((name) => `${name}="${escapeLabelValue(labels[name] ?? "")}"`);
  return parts.length === 0 ? "" : `{${parts.join(",")}}`;
}

/** A nano-USD gauge's lines, every digit kept (prom-client would format the value as a number). */
async function renderNanoUsd(gauge: NanoUsdGauge): Promise<string[]> {
  const lines = [`# HELP ${gauge.name} ${escapeHelp(gauge.help)}`, `# TYPE ${gauge.name} gauge`];
  for (const series of await gauge.read()) lines.push(`${gauge.name}${formatLabels(gauge.labelNames, series.labels)} ${series.value.toString()}`);
  return lines;
}

/**
 * Renders the registry in the Prometheus text format
 * (https://prometheus.io/docs/instrumenting/exposition_formats/): prom-client's exposition of
 * every metric, then the nano-USD gauges, then `farebox_metrics_collect_errors`: how many
 * scrape-time reads failed during this scrape (their gauges show no series; the scrape goes on).
 */
export async function renderMetrics(registry: MetricsRegistry): Promise<string> {
  const { result: body, failures } = await registry.countingFailures(() => registry.prom.metrics());
  const lines: string[] = [];
  let nanoFailures = 0;
  for (const gauge of registry.nanoUsdGauges()) {
    try {
      lines.push(...(await renderNanoUsd(gauge)));
    } catch {
      nanoFailures += 1;
    }
  }
  lines.push("# HELP farebox_metrics_collect_errors Scrape-time collectors that failed during this scrape.");
  lines.push("# TYPE farebox_metrics_collect_errors gauge");
  lines.push(`farebox_metrics_collect_errors ${failures + nanoFailures}`);
  return `${body}${lines.join("\n")}\n`;
}
