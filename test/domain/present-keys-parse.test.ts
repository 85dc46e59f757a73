import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { parsePresentKeys } from "../../src/domain/present-keys-parse.js";
import { chatRequestBody } from "../../src/gateway/chat-input.js";

/** Values each field may get: valid ones, invalid ones and anything at all. */
const samples = [
  "bench/model", "", "a\u0000b", 0, 1, 64, -1, 0.5, 3, 2.5, true, false, null, "auto", "none", "low", "json_object",
  [], ["stop"], ["a", "b", "c", "d", "e"], { type: "text" }, { type: "json_object" }, { type: "ephemeral" }, { type: "ephemeral", ttl: "2h" },
  { type: "json_schema", json_schema: { name: "x", strict: null } }, { effort: "high" }, { effort: "huge" }, { k: "v" },
  { order: ["openai"] }, { sort: "price" },
  [{ role: "user", content: "hi" }],
  [{ role: "system", content: [{ type: "text", text: "s" }] }, { role: "user", content: [{ type: "image_url", image_url: { url: "https://x" } }] }],
  [{ role: "assistant", content: null, reasoning_details: [{ type: "reasoning.text", text: "t" }, { type: "mine" }], tool_calls: [{ id: "1", type: "function", function: { name: "f", arguments: "{}" } }] }],
  [{ role: "tool", content: "r", tool_call_id: "1", is_error: true }],
  [{ role: "user", content: [{ type: "file", file: { filename: "a" } }] }],
  [{ role: "robot", content: "x" }],
  [{ type: "function", function: { name: "f", parameters: { type: "object" }, strict: null } }],
  [{ type: "function", function: { name: "" } }],
];
const value = fc.oneof(fc.constantFrom(...samples), fc.anything());
const keys = [...Object.keys(chatRequestBody.shape), "unknown_field", "toString"];
const body = fc.array(fc.tuple(fc.constantFrom(...keys), value), { maxLength: 12 }).map((entries) => Object.fromEntries(entries) as Record<string, unknown>);

describe("parsing a zod object by the keys a body carries", () => {
  it("gives the chat body's full parse exactly (values and key order) whenever it succeeds, and nothing when it fails", () => {
    let succeeded = 0;
    fc.assert(
      fc.property(body, (given) => {
        const full = chatRequestBody.safeParse(given);
        const present = parsePresentKeys(chatRequestBody, given);
        if (!full.success) {
          expect(present).toBeUndefined();
          return;
        }
        // a field that fails sends the caller to the full parse; when it succeeds the results are alike
        expect(present).toBeDefined();
        succeeded++;
        expect(Object.keys(present!.data)).toEqual(Object.keys(full.data));
        expect(present!.data).toStrictEqual(full.data);
      }),
      { numRuns: 3000 },
    );
    expect(succeeded).toBeGreaterThan(300);
  });

  it("leaves to the full parse what it does not model: required or defaulted keys, object checks, unknown keys kept", () => {
    const cases: z.ZodType[] = [
      z.object({ a: z.string() }),
      z.object({ a: z.string().default("x") }),
      z.object({ a: z.string().optional() }).refine(() => false),
      z.looseObject({ a: z.string().optional() }),
      z.strictObject({ a: z.string().optional() }),
      z.string(),
    ];
    for (const schema of cases) expect(parsePresentKeys(schema, { a: "y" })).toBeUndefined();
    expect(parsePresentKeys(z.object({ a: z.string().optional(), b: z.number().nullish() }), { b: null, c: 1 })).toEqual({ data: { b: null } });
  });
});
