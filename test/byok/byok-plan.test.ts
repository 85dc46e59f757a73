import { describe, expect, it } from "vitest";
import { byokCharge, byokKeyRejected, isKeyRejection } from "../../src/byok/byok-charge.js";
import { planWithByok, type ByokCredential } from "../../src/byok/byok-plan.js";
import { ProviderSecret } from "../../src/byok/secret.js";
import { computeCharge } from "../../src/domain/charge.js";

const attempt = (model: string, provider: string, operatorKey = true) => ({
  model,
  endpoint: { provider: { slug: provider, apiKey: operatorKey ? "operator-key" : undefined } },
});
const key = (provider: string, alwaysUse = false): ByokCredential => ({ provider, secret: new ProviderSecret(`sk-${provider}-SECRET-abcd`), alwaysUse });

describe("BYOK ordering", () => {
  const plan = [attempt("m1", "groq"), attempt("m1", "openai"), attempt("m2", "together"), attempt("m2", "openai")];

  it("tries the account's keys first, in plan order, then shared capacity", () => {
    const planned = planWithByok(plan, new Map([["openai", key("openai")]]));
    expect(planned.map((p) => `${p.attempt.model}@${p.attempt.endpoint.provider.slug}${p.byok ? "+byok" : ""}`)).toEqual([
      "m1@openai+byok",
      "m2@openai+byok",
      "m1@groq",
      "m1@openai",
      "m2@together",
      "m2@openai",
    ]);
  });

  it("never uses shared capacity of an always-use provider, or at all when the account forbids it", () => {
    const always = planWithByok(plan, new Map([["openai", key("openai", true)]]));
    expect(always.filter((p) => !p.byok).map((p) => p.attempt.endpoint.provider.slug)).toEqual(["groq", "together"]);
    const noFallback = planWithByok(plan, new Map([["openai", key("openai")]]), false);
    expect(noFallback.every((p) => p.byok)).toBe(true);
    expect(noFallback).toHaveLength(2);
  });

  it("never plans shared capacity on a provider the operator has no key for", () => {
    const withOwnOnly = [attempt("m1", "selfserve", false), attempt("m1", "groq")];
    const planned = planWithByok(withOwnOnly, new Map([["selfserve", key("selfserve")]]));
    expect(planned.map((p) => `${p.attempt.endpoint.provider.slug}${p.byok ? "+byok" : ""}`)).toEqual(["selfserve+byok", "groq"]);
  });

  it("leaves the plan alone without keys", () => {
    expect(planWithByok(plan, new Map()).map((p) => p.byok)).toEqual([undefined, undefined, undefined, undefined]);
    expect(planWithByok(plan, new Map(), false)).toHaveLength(4);
  });
});

describe("BYOK charge", () => {
  const pricing = { promptNanoPerMillion: 153_000_000n, completionNanoPerMillion: 611_000_000n };
  const usage = { promptTokens: 1234, completionTokens: 567 };

  it("debits only the BYOK fee and reports the list price as upstream cost", () => {
    const base = computeCharge(usage, pricing, 0).baseNano;
    expect(byokCharge(usage, pricing, 0)).toEqual({ usageNano: 0n, feeNano: 0n, chargedNano: 0n, upstreamInferenceCostNano: base });
    const withFee = byokCharge(usage, pricing, 100);
    expect(withFee.usageNano).toBe(0n);
    expect(withFee.feeNano).toBe((base * 100n + 9999n) / 10000n);
    expect(withFee.chargedNano).toBe(withFee.feeNano);
  });

  it("reports a rejected key clearly, without the key", () => {
    expect(isKeyRejection(401)).toBe(true);
    expect(isKeyRejection(403)).toBe(true);
    expect(isKeyRejection(429)).toBe(false);
    const error = byokKeyRejected(key("openai"), 401);
    expect(error.httpStatus).toBe(401);
    expect(error.message).toContain("openai");
    expect(error.message).toContain("abcd");
    expect(JSON.stringify(error.toEnvelope())).not.toContain("SECRET");
    expect(byokKeyRejected(key("groq"), 403).httpStatus).toBe(403);
  });
});
