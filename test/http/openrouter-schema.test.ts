/**
 * The spec check every test runs (test/support/validate-responses.ts) can fail: a key missing a
 * field the spec requires, or with a mistyped one, is rejected; farebox's own key shape passes.
 */
import { describe, expect, it } from "vitest";
import { presentKey } from "../../src/http/presenters/key.js";
import { NO_USAGE, type ApiKey } from "../../src/keys/index.js";
import { isSpecQuery, responseValidator, specPathFor } from "../support/openrouter-spec.js";

const key = {
  id: "key_1",
  accountId: "acct_1",
  kind: "inference",
  hash: "a".repeat(64),
  label: "sk-fb-v1-abc...xyz",
  name: "k",
  disabled: false,
  limitNano: null,
  limitReset: null,
  includeByokInLimit: false,
  rateLimitRequests: null,
  rateLimitIntervalMs: null,
  createdAt: new Date("2026-01-01T00:00:00Z"),
  updatedAt: new Date("2026-01-01T00:00:00Z"),
  expiresAt: null,
} as unknown as ApiKey;

describe("the OpenRouter schema check", () => {
  it("maps farebox routes to the spec's paths under both prefixes, and only shared ones", () => {
    expect(specPathFor("/api/v1/keys/:hash")).toBe("/keys/{hash}");
    expect(specPathFor("/v1/byok/:id")).toBe("/byok/{id}");
    expect(specPathFor("/api/v1/credits/intents")).toBeUndefined();
    expect(specPathFor("/health")).toBeUndefined();
  });

  it("accepts farebox's key and rejects one missing a required field or with a wrong type", () => {
    const validate = responseValidator("/key", "GET", 200)!;
    const data = presentKey(key, NO_USAGE);
    expect(validate({ data })).toBe(true);
    const { workspace_id: _dropped, is_free_tier: _alsoDropped, ...missing } = data;
    expect(validate({ data: missing })).toBe(false);
    expect(validate.errors?.map((e) => e.params)).toContainEqual({ missingProperty: "is_free_tier" });
    expect(validate({ data: { ...data, usage: "0" } })).toBe(false);
  });

  it("treats a query outside the spec as a farebox extension", () => {
    expect(isSpecQuery("/activity", "GET", { date: "2026-01-01" })).toBe(true);
    expect(isSpecQuery("/activity", "GET", { group_by: "workspace" })).toBe(true);
    expect(isSpecQuery("/activity", "GET", { group_by: "model" })).toBe(false);
    expect(isSpecQuery("/activity", "GET", { from: "2026-01-01" })).toBe(false);
  });
});
