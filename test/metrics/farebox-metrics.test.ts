import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { SettledGeneration } from "../../src/domain/settled-generation.js";
import { renderMetrics } from "../../src/metrics/exposition.js";
import { FareboxMetrics } from "../../src/metrics/farebox-metrics.js";
import { MetricsRegistry } from "../../src/metrics/registry.js";
import { generateTraffic } from "../analytics/traffic.js";
import { find, parsePrometheus } from "./parse-prometheus.js";

describe("farebox metrics", () => {
  it("expose requests, errors, latency, attempts, holds, ledger and chain lag", async () => {
    const registry = new MetricsRegistry();
    const metrics = new FareboxMetrics(registry, {
      openHolds: async () => ({ count: 3, amountNano: 1_500_000_000n }),
      ledgerTotals: async () => [
        { kind: "deposit", amountNano: 90_000_000_000_000_000_123n },
        { kind: "usage", amountNano: -12n },
      ],
      chainListeners: () => [
        { chain: "base", headBlock: 1_000_120n, cursorBlock: 1_000_100n, lastSuccessAt: new Date("2026-03-01T00:00:10Z") },
        { chain: "solana", headBlock: 5n, cursorBlock: 9n, lastSuccessAt: null },
      ],
    });
    const traffic = [
      ...generateTraffic(
        {
          accounts: ["a"],
          keysPerAccount: 1,
          models: ["openai/gpt-4o-mini"],
          providers: ["openai"],
          apps: [{ referer: null, title: null }],
          from: new Date("2026-03-01T00:00:00Z"),
          days: 1,
        },
        500,
        3,
      ),
    ];
    for (const gen of traffic) metrics.recordGeneration(gen);
    metrics.recordAttempt("openai", "ok");
    metrics.recordAttempt("openai", "rate_limited");
    metrics.recordAttempt("openai", "rate_limited");

    const parsed = parsePrometheus(await renderMetrics(registry));
    const ok = traffic.filter((g) => g.ok);
    const failed = traffic.filter((g) => !g.ok);
    expect(failed.length).toBeGreaterThan(0);
    expect(find(parsed, "farebox_requests_total", { status: "200" })[0]?.value).toBe(ok.length);
    const errorSum = find(parsed, "farebox_request_errors_total").reduce((s, x) => s + x.value, 0);
    expect(errorSum).toBe(failed.length);
    expect(find(parsed, "farebox_request_duration_seconds_count")[0]?.value).toBe(ok.length);
    expect(find(parsed, "farebox_time_to_first_token_seconds_count")[0]?.value).toBe(ok.filter((g) => g.ttftMs != null).length);
    expect(find(parsed, "farebox_tokens_total", { class: "prompt" })[0]?.value).toBe(ok.reduce((s, g) => s + g.promptTokens, 0));
    expect(find(parsed, "farebox_upstream_attempts_total", { outcome: "rate_limited" })[0]?.value).toBe(2);
    expect(find(parsed, "farebox_open_holds")[0]?.value).toBe(3);
    expect(find(parsed, "farebox_open_holds_nano_usd")[0]?.raw).toBe("1500000000");
    expect(find(parsed, "farebox_ledger_entries_nano_usd", { kind: "deposit" })[0]?.raw).toBe("90000000000000000123");
    expect(find(parsed, "farebox_chain_listener_lag_blocks", { chain: "base" })[0]?.value).toBe(20);
    expect(find(parsed, "farebox_chain_listener_lag_blocks", { chain: "solana" })[0]?.value).toBe(0);
    expect(find(parsed, "farebox_chain_listener_last_success_timestamp_seconds", { chain: "base" })[0]?.value).toBe(1772323210);
    expect(find(parsed, "farebox_chain_listener_last_success_timestamp_seconds", { chain: "solana" })).toHaveLength(0);
    expect(parsed.types.get("farebox_request_duration_seconds")).toBe("histogram");
  });

  it("expose what prom-client counted directly, series for series and in the same order, whenever they are read", async () => {
    /** What recording was before increments were summed until read: prom-client's inc per generation. */
    const direct = (registry: MetricsRegistry) => {
      const requests = registry.counter("farebox_requests_total", "Completed chat requests by model, provider and HTTP status.", ["model", "provider", "status"]);
      const errors = registry.counter("farebox_request_errors_total", "Chat requests that ended in an error, by model, provider and HTTP status.", ["model", "provider", "status"]);
      const tokens = registry.counter("farebox_tokens_total", "Tokens processed by model and class (prompt, completion).", ["model", "class"]);
      return (gen: SettledGeneration) => {
        const labels = { model: gen.model, provider: gen.provider, status: String(gen.status) };
        requests.inc(labels);
        if (!gen.ok) return errors.inc(labels);
        tokens.inc({ model: gen.model, class: "prompt" }, gen.promptTokens);
        tokens.inc({ model: gen.model, class: "completion" }, gen.completionTokens);
      };
    };
    const countersOf = (text: string) => text.split("\n").filter((line) => /^farebox_(requests|request_errors|tokens)_total/.test(line) || /^# .* farebox_(requests|request_errors|tokens)_total/.test(line)).join("\n");
    const generation = fc.record({
      model: fc.constantFrom("a/x", "b/y", "c/z"),
      provider: fc.constantFrom("p", "q"),
      ok: fc.boolean(),
      status: fc.constantFrom(200, 429, 502),
      promptTokens: fc.oneof(fc.nat(5000), fc.constant(0)),
      completionTokens: fc.oneof(fc.nat(5000), fc.constant(0), fc.constant(-1)),
    });
    // a generation, or a read of the metrics (a scrape) between them
    const step = fc.oneof({ arbitrary: generation, weight: 6 }, { arbitrary: fc.constant("scrape" as const), weight: 1 });
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 40 }), async (steps) => {
        const reference = new MetricsRegistry();
        const record = direct(reference);
        const registry = new MetricsRegistry();
        const metrics = new FareboxMetrics(registry);
        for (const step of steps) {
          if (step === "scrape") {
            expect(countersOf(await renderMetrics(registry))).toBe(countersOf(await renderMetrics(reference)));
            continue;
          }
          const gen = { ...step, latencyMs: 5, ttftMs: null } as unknown as SettledGeneration;
          let refused: unknown;
          try {
            record(gen);
          } catch (error) {
            refused = error;
          }
          // a count prom-client refuses (fewer than no tokens) is refused as it was, when recorded
          if (refused === undefined) metrics.recordGeneration(gen);
          else expect(() => metrics.recordGeneration(gen)).toThrow((refused as Error).message);
        }
        expect(countersOf(await renderMetrics(registry))).toBe(countersOf(await renderMetrics(reference)));
      }),
      { numRuns: 300 },
    );
  });
});
