import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { plainContent } from "../../src/providers/openai-compatible/plain-content-frame.js";

const frame = (members: Record<string, unknown>, choice: Record<string, unknown>, after: Record<string, unknown> = {}) =>
  JSON.stringify({ ...members, choices: [choice], ...after });
const head = { id: "chatcmpl-1", object: "chat.completion.chunk", created: 1_700_000_000, model: "gpt-4o" };

/** What the full parse reads from a frame the reader recognized: the content, and nothing else that matters. */
function parsedPlainContent(data: string): string | undefined {
  const chunk = JSON.parse(data) as Record<string, unknown>;
  if ("error" in chunk) return undefined;
  const usage = chunk.usage;
  if (typeof usage === "object" && usage !== null) return undefined;
  const choices = chunk.choices as Array<Record<string, unknown>>;
  if (choices.length !== 1) return undefined;
  const [choice] = choices;
  if (choice!.finish_reason !== null || (choice!.logprobs !== undefined && choice!.logprobs !== null)) return undefined;
  const delta = choice!.delta as Record<string, unknown>;
  if (Object.keys(delta).length !== 1 || typeof delta.content !== "string" || delta.content === "") return undefined;
  return delta.content;
}

describe("the plain text frame reader", () => {
  it("reads the text of frames that carry only a token, whatever scalar members surround it", () => {
    expect(plainContent(frame(head, { index: 0, delta: { content: " fox" }, finish_reason: null }))).toBe(" fox");
    // OpenAI's own shape: logprobs before finish_reason, service tier, fingerprint, obfuscation, usage null
    const openai = frame(
      { ...head, service_tier: "default", system_fingerprint: "fp_1" },
      { index: 0, delta: { content: "Hé 😀" }, logprobs: null, finish_reason: null },
      { usage: null, obfuscation: "a1B" },
    );
    expect(plainContent(openai)).toBe("Hé 😀");
  });

  it("leaves every other frame to the full parse", () => {
    const others = [
      frame(head, { index: 0, delta: { content: 'say "hi"' }, finish_reason: null }), // an escape
      frame(head, { index: 0, delta: { content: "a\nb" }, finish_reason: null }),
      frame(head, { index: 0, delta: { content: "" }, finish_reason: null }),
      frame(head, { index: 0, delta: { role: "assistant", content: "x" }, finish_reason: null }),
      frame(head, { index: 0, delta: { reasoning: "x" }, finish_reason: null }),
      frame(head, { index: 0, delta: { content: "x" }, finish_reason: "stop" }),
      frame(head, { index: 0, delta: { content: "x" }, finish_reason: null, logprobs: { content: [] } }),
      frame(head, { index: 0, delta: { content: "x" }, finish_reason: null }, { usage: { prompt_tokens: 1, completion_tokens: 1 } }),
      frame({ ...head, error: null }, { index: 0, delta: { content: "x" }, finish_reason: null }),
      frame({ ...head, x_groq: { usage: { prompt_tokens: 1 } } }, { index: 0, delta: { content: "x" }, finish_reason: null }),
      frame({ ...head, id: 'a"b' }, { index: 0, delta: { content: "x" }, finish_reason: null }),
      JSON.stringify({ ...head, choices: [{ index: 0, delta: { content: "x" }, finish_reason: null }, { index: 1, delta: { content: "y" }, finish_reason: null }] }),
      '{"id":"a" "choices":[{"index":0,"delta":{"content":"x"},"finish_reason":null}]}',
      '{"id":01,"choices":[{"index":0,"delta":{"content":"x"},"finish_reason":null}]}',
      '{"choices":[{"index":0,"delta":{"content":"x"},"finish_reason":null}]} ',
    ];
    for (const data of others) expect(plainContent(data), data).toBeUndefined();
  });

  it("recognizes every frame of plain scalar members around plain text", () => {
    const plain = fc.string().filter((text) => [...text].every((char) => char !== '"' && char !== "\\" && char.charCodeAt(0) >= 0x20));
    const scalar = fc.oneof(plain, fc.integer(), fc.constant(null), fc.boolean());
    const members = fc.dictionary(plain.filter((key) => key !== "error" && key !== "choices"), scalar, { maxKeys: 4 });
    fc.assert(
      fc.property(members, plain.filter((text) => text !== ""), members, (before, content, after) => {
        const data = frame(before, { index: 0, delta: { content }, finish_reason: null }, after);
        expect(plainContent(data)).toBe(content);
      }),
      { numRuns: 2_000 },
    );
  });

  it("never reads a frame differently from the full parse", () => {
    const scalar = fc.oneof(fc.string(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constant(null), fc.boolean());
    const value = fc.oneof(scalar, fc.dictionary(fc.string(), scalar, { maxKeys: 2 }));
    const key = fc.oneof(fc.constantFrom("id", "object", "created", "model", "usage", "error", "x_groq", "system_fingerprint"), fc.string());
    const delta = fc.oneof(
      fc.record({ content: fc.oneof(fc.string(), fc.constantFrom(" fox", "The", "é")) }),
      fc.dictionary(fc.constantFrom("content", "role", "reasoning", "refusal"), scalar, { maxKeys: 3 }),
    );
    const choice = fc.record(
      { index: fc.constantFrom(0, 1), delta, finish_reason: fc.constantFrom(null, "stop"), logprobs: fc.constantFrom(null, undefined, { content: [] }) },
      { requiredKeys: ["index", "delta", "finish_reason"] },
    );
    const data = fc.tuple(fc.dictionary(key, value, { maxKeys: 4 }), choice, fc.dictionary(key, value, { maxKeys: 2 })).map(([before, c, after]) => frame(before, c, after));
    // frames as upstreams write them, and the same text cut or changed by a byte
    const mangled = fc.tuple(data, fc.nat(), fc.constantFrom("", "x", '"', "}", ",", "\\")).map(([text, at, insert]) => text.slice(0, at % (text.length + 1)) + insert + text.slice((at % (text.length + 1)) + 1));
    let recognized = 0;
    fc.assert(
      fc.property(fc.oneof(data, mangled), (text) => {
        const fast = plainContent(text);
        if (fast === undefined) return;
        recognized += 1;
        expect(fast).toBe(parsedPlainContent(text));
      }),
      { numRuns: 5_000 },
    );
    expect(recognized).toBeGreaterThan(0);
  });
});
