import { describe, expect, it } from "vitest";
import { renderMetrics } from "../../src/metrics/exposition.js";
import { MetricsRegistry } from "../../src/metrics/registry.js";
import { find, parsePrometheus } from "./parse-prometheus.js";

describe("metrics registry (prom-client) and exposition", () => {
  it("renders counters with labels that parse back, escaping hostile values", async () => {
    const registry = new MetricsRegistry();
    const requests = registry.counter("farebox_test_requests_total", "Requests.\nSecond line \\ with backslash", ["model", "status"]);
    requests.inc({ model: "openai/gpt-4o", status: "200" });
    requests.inc({ model: "openai/gpt-4o", status: "200" }, 2);
    requests.inc({ model: 'evil"model\\\nname', status: "500" });
    const parsed = parsePrometheus(await renderMetrics(registry));
    expect(parsed.types.get("farebox_test_requests_total")).toBe("counter");
    expect(parsed.help.get("farebox_test_requests_total")).toBe("Requests.\\nSecond line \\\\ with backslash");
    expect(find(parsed, "farebox_test_requests_total", { model: "openai/gpt-4o", status: "200" })[0]?.value).toBe(3);
    expect(find(parsed, "farebox_test_requests_total", { model: 'evil"model\\\nname' })[0]?.value).toBe(1);
  });

  it("renders histograms as cumulative buckets with +Inf, sum and count", async () => {
    const registry = new MetricsRegistry();
    const latency = registry.histogram("farebox_test_latency_seconds", "Latency.", ["provider"], [0.1, 0.5, 1]);
    for (const v of [0.05, 0.1, 0.3, 0.7, 2, 5]) latency.observe({ provider: "groq" }, v);
    latency.observe({ provider: "openai" }, 0.2);
    const parsed = parsePrometheus(await renderMetrics(registry));
    const buckets = find(parsed, "farebox_test_latency_seconds_bucket", { provider: "groq" });
    expect(buckets.map((b) => [b.labels.le, b.value])).toEqual([
      ["0.1", 2],
      ["0.5", 3],
      ["1", 4],
      ["+Inf", 6],
    ]);
    expect(find(parsed, "farebox_test_latency_seconds_count", { provider: "groq" })[0]?.value).toBe(6);
    expect(find(parsed, "farebox_test_latency_seconds_sum", { provider: "groq" })[0]?.value).toBeCloseTo(8.15);
    expect(find(parsed, "farebox_test_latency_seconds_bucket", { provider: "openai", le: "0.1" })[0]?.value).toBe(0);
    expect(find(parsed, "farebox_test_latency_seconds_bucket", { provider: "openai", le: "0.5" })[0]?.value).toBe(1);
  });

  it("reads scrape-time gauges, keeps bigint nano-USD totals exact, and survives failing collectors", async () => {
    const registry = new MetricsRegistry();
    const gauge = registry.gauge("farebox_test_open", "Open things.");
    gauge.set({}, 4);
    gauge.inc({}, -1);
    registry.gaugeCallback("farebox_test_lag", "Lag.", ["chain"], async () => [{ labels: { chain: "base" }, value: 20 }]);
    registry.nanoUsdGauge("farebox_test_ledger_nano", "Ledger total.", ["kind"], async () => [
      { labels: { kind: "deposit" }, value: 123_456_789_012_345_678_901n },
    ]);
    registry.gaugeCallback("farebox_test_broken", "Broken.", [], () => {
      throw new Error("db down");
    });
    registry.nanoUsdGauge("farebox_test_broken_nano", "Broken too.", [], async () => {
      throw new Error("db down");
    });
    const body = await renderMetrics(registry);
    const parsed = parsePrometheus(body);
    expect(find(parsed, "farebox_test_open")[0]?.value).toBe(3);
    expect(find(parsed, "farebox_test_lag", { chain: "base" })[0]?.value).toBe(20);
    expect(find(parsed, "farebox_test_ledger_nano", { kind: "deposit" })[0]?.raw).toBe("123456789012345678901");
    expect(find(parsed, "farebox_metrics_collect_errors")[0]?.value).toBe(2);
    expect(find(parsed, "farebox_test_broken")).toEqual([]);
    expect(find(parsed, "farebox_test_broken_nano")).toEqual([]);
    // the next scrape counts only its own failures
    expect(find(parsePrometheus(await renderMetrics(registry)), "farebox_metrics_collect_errors")[0]?.value).toBe(2);
  });

  it("adds prom-client's process, GC and event-loop metrics", async () => {
    const parsed = parsePrometheus(await renderMetrics(new MetricsRegistry({ processMetrics: true })));
    for (const name of ["process_cpu_seconds_total", "process_resident_memory_bytes", "nodejs_eventloop_lag_p99_seconds", "nodejs_heap_size_used_bytes"]) {
      expect(parsed.types.has(name), name).toBe(true);
    }
    expect(parsed.types.get("nodejs_gc_duration_seconds")).toBe("histogram");
    expect(parsePrometheus(await renderMetrics(new MetricsRegistry())).types.has("process_cpu_seconds_total")).toBe(false);
  });

  it("refuses bad names, unknown labels, duplicates and decreasing counters", () => {
    const registry = new MetricsRegistry();
    expect(() => registry.counter("bad-name", "x")).toThrow(/invalid metric name/i);
    expect(() => registry.counter("ok_total", "x", ["bad-label"])).toThrow(/invalid label/i);
    expect(() => registry.nanoUsdGauge("ok_nano", "x", ["__reserved"], () => [])).toThrow(/invalid label/i);
    const c = registry.counter("dup_total", "x", ["a"]);
    expect(() => registry.counter("dup_total", "x")).toThrow(/twice/);
    expect(() => registry.nanoUsdGauge("dup_total", "x", [], () => [])).toThrow(/twice/);
    expect(() => c.inc({ b: "1" })).toThrow(/label/);
    expect(() => c.inc({ a: "1" }, -1)).toThrow(/decrease/);
    expect(() => registry.histogram("h", "x", ["le"], [1])).toThrow(/le/);
  });
});
