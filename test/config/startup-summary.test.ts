import { describe, expect, it } from "vitest";
import { startupSummary } from "../../src/config/startup-summary.js";
import { testConfig } from "../support/app.js";

const x402 = (overrides: Record<string, unknown>) =>
  ({ enabled: true, min_payment_usd: "0.10", gas_surcharge_usd: "0", facilitator_url: null, max_timeout_s: 300, chains: ["eip155:8453"], ...overrides }) as never;

describe("the start-up summary's x402 line", () => {
  const line = (overrides: Record<string, unknown>) => startupSummary(testConfig({ x402: x402(overrides) }), "http://127.0.0.1:8080", [], 0).x402;

  it("names who settles payments on the chains offered", () => {
    expect(line({})).toBe("on (eip155:8453; settled by the EVM relayer key)");
    expect(line({ chains: ["solana:mainnet"] })).toBe("on (solana:mainnet; settled by the Solana fee payer)");
    expect(line({ chains: ["eip155:8453", "solana:mainnet"] })).toBe("on (eip155:8453, solana:mainnet; settled by the EVM relayer key and the Solana fee payer)");
    expect(line({ facilitator_url: "https://facilitator.example/x402" })).toBe("on (eip155:8453; settled by facilitator facilitator.example)");
  });

  it("says off when x402 is off", () => {
    expect(line({ enabled: false })).toBe("off");
  });
});
