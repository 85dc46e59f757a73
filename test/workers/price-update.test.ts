/**
 * catalog.update_prices: daily — the published price data replaces the bundled prices, every
 * changed endpoint is logged and counted in /metrics; a download that fails or does not validate
 * leaves the prices unchanged.
 */
import { findProvider, REMOTE_DATA_JSON_URL } from "@pydantic/genai-prices";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LiveCatalog } from "../../src/catalog/live-catalog.js";
import { renderMetrics } from "../../src/metrics/exposition.js";
import { MetricsRegistry } from "../../src/metrics/registry.js";
import { createPriceUpdate, PRICE_DATA_URL } from "../../src/workers/price-update.js";
import { startFakeModelList, type FakeModelList } from "../support/fake-upstreams/model-lists.js";

/** The bundled data with GPT-5.5's base input price raised from $5 to $6 per million. */
function publishedData(): unknown {
  const providers = ["openai", "anthropic", "openrouter"].map((id) => structuredClone(findProvider({ providerId: id })!));
  const gpt55 = providers[0]!.models.find((model) => model.id === "gpt-5.5")!;
  (gpt55.prices as unknown as { input_mtok: { base: number } }).input_mtok.base = 6;
  return JSON.parse(JSON.stringify(providers));
}

describe("daily price updates", () => {
  let server: FakeModelList;
  beforeAll(async () => {
    server = await startFakeModelList({ "/data.json": publishedData(), "/broken.json": [{ id: "openai", models: "no" }] });
  });
  afterAll(() => server.close());

  function setup(path: string) {
    const catalog = new LiveCatalog({ providers: {} });
    const metrics = new MetricsRegistry();
    const lines: string[] = [];
    const log = { info: (_f: object, m: string) => lines.push(m), warn: (_f: object, m: string) => lines.push(m) };
    const update = createPriceUpdate({ catalog, fetch: globalThis.fetch, signal: new AbortController().signal, log, metrics, now: () => new Date("2026-11-30T00:00:00Z"), url: `${server.url}${path}` });
    return { catalog, metrics, lines, update };
  }

  it("downloads from where the package says the data is published (its URL is copied so the package need not stay loaded)", () => {
    expect(PRICE_DATA_URL).toBe(REMOTE_DATA_JSON_URL);
  });

  it("applies the published prices and reports what changed in the log and /metrics", async () => {
    const { catalog, metrics, lines, update } = setup("/data.json");
    expect(catalog.models.get("openai/gpt-5.5")!.endpoints[0]!.pricing.promptNanoPerMillion).toBe(5_000_000_000n);
    const changes = await update.pass();
    const endpoint = catalog.models.get("openai/gpt-5.5")!.endpoints[0]!;
    expect(endpoint.pricing.promptNanoPerMillion).toBe(6_000_000_000n);
    expect(endpoint.sources.pricing).toBe("genai-prices (updated 2026-11-30): openai/gpt-5.5");
    expect(changes.find((c) => c.endpoint === "openai/gpt-5.5@openai")).toMatchObject({ before: expect.stringMatching(/^in 5 out 30/), after: expect.stringMatching(/^in 6 out 30/) });
    // providers absent from the published file lose their endpoints, and each is reported
    expect(changes.length).toBeGreaterThan(1);
    expect(lines.at(-1)).toBe(`price update: ${changes.length} endpoint prices changed`);
    const text = await renderMetrics(metrics);
    expect(text).toContain(`farebox_catalog_price_changes_total ${changes.length}`);
    expect(text).toContain(`farebox_catalog_prices_updated_timestamp_seconds ${Date.parse("2026-11-30T00:00:00Z") / 1000}`);
  });

  it("keeps the prices in force when the data does not validate", async () => {
    const { catalog, metrics, lines, update } = setup("/broken.json");
    const before = catalog.models;
    expect(await update.pass()).toEqual([]);
    expect(catalog.models).toBe(before);
    expect(lines.at(-1)).toMatch(/could not load the price database; prices unchanged/);
    expect(await renderMetrics(metrics)).toContain("farebox_catalog_price_update_failures_total 1");
  });
});
