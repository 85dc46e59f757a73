import { describe, expect, it } from "vitest";
import { buildCatalog } from "../../src/catalog/build-catalog.js";
import { refusal } from "../../src/gateway/prepare.js";
import { affordableOutputTokens, quoteWorstCase } from "../../src/gateway/quote.js";

const catalog = buildCatalog({
  includeDefault: false,
  providers: { cheap: { base_url: "http://x/v1", api_key: "k" } },
  models: [{ id: "t/m", endpoints: [{ provider: "cheap", model: "m", pricing: { prompt: "0.000001", completion: "0.000002" } }] }],
});
const model = catalog.models.get("t/m")!;
const quote = quoteWorstCase([{ model, endpoint: model.endpoints[0]! }], 10, 50, 0, 500);

describe("the 402 of a refused hold", () => {
  it("never says a request can only afford what it asked for", () => {
    // The money is there but reserved by requests in flight (e.g. another process's shared hold).
    for (const hold of [
      { ok: false as const, reason: "insufficient_balance" as const, availableNano: quote.reservedNano },
      { ok: false as const, reason: "key_limit" as const, remainingNano: quote.reservedNano + 1_000n },
    ]) {
      const error = refusal(hold, quote, 0, 500);
      expect(error.httpStatus).toBe(402);
      expect(error.message).not.toMatch(/requested up to 50 tokens, but .*afford 50/);
      expect(error.message).toMatch(/reserved by requests still in flight\. Retry in a moment/);
      expect(error.metadata).toMatchObject({ reason: "reserved_in_flight", requested_tokens: 50, affordable_tokens: 50 });
    }
  });

  it("names how many tokens the balance affords when it is short", () => {
    const availableNano = quote.reservedNano / 2n;
    const affordable = affordableOutputTokens(quote, availableNano, 0, 500);
    expect(affordable).toBeLessThan(50);
    const error = refusal({ ok: false, reason: "insufficient_balance", availableNano }, quote, 0, 500);
    expect(error.message).toContain(`You requested up to 50 tokens, but can only afford ${affordable}.`);
    expect(error.metadata).toMatchObject({ reason: "insufficient_balance" });
  });
});
