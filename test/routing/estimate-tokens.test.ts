import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { estimatePromptTokens, FILE_TOKENS_ESTIMATE, IMAGE_TOKENS_ESTIMATE } from "../../src/routing/estimate-tokens.js";

/** The estimate as first written (a closure over Object.values), kept to hold the rewrite to it. */
function closureEstimate(messages: readonly unknown[], tools?: unknown): number {
  let chars = 0;
  let images = 0;
  let mediaTokens = 0;
  const base64Bytes = (text: string) => Math.floor((text.length * 3) / 4);
  const walk = (value: unknown): void => {
    if (typeof value === "string") chars += value.length;
    else if (Array.isArray(value)) value.forEach(walk);
    else if (value !== null && typeof value === "object") {
      const part = value as { type?: unknown; file?: { file_data?: unknown }; input_audio?: { data?: unknown } };
      if (part.type === "image_url") {
        images += 1;
        return;
      }
      if (part.type === "file") {
        const data = typeof part.file?.file_data === "string" ? part.file.file_data : "";
        mediaTokens += data.startsWith("data:") ? Math.ceil(base64Bytes(data) / 4) : FILE_TOKENS_ESTIMATE;
        return;
      }
      if (part.type === "input_audio") {
        const data = typeof part.input_audio?.data === "string" ? part.input_audio.data : "";
        mediaTokens += Math.ceil(base64Bytes(data) / 500);
        return;
      }
      Object.values(value).forEach(walk);
    }
  };
  messages.forEach(walk);
  if (tools !== undefined) chars += JSON.stringify(tools).length;
  return Math.ceil(chars / 4) + messages.length * 4 + images * IMAGE_TOKENS_ESTIMATE + mediaTokens;
}

describe("the prompt token estimate", () => {
  const part = fc.oneof(
    fc.record({ type: fc.constant("text"), text: fc.string() }),
    fc.record({ type: fc.constant("image_url"), image_url: fc.record({ url: fc.string() }) }),
    fc.record({ type: fc.constant("file"), file: fc.record({ file_data: fc.oneof(fc.string(), fc.string().map((s) => `data:application/pdf;base64,${s}`)) }, { requiredKeys: [] }) }),
    fc.record({ type: fc.constant("input_audio"), input_audio: fc.record({ data: fc.string(), format: fc.constant("wav") }) }),
  );
  const message = fc.record({ role: fc.constantFrom("user", "system", "assistant"), content: fc.oneof(fc.string(), fc.array(part), fc.constant(null)), name: fc.option(fc.string(), { nil: undefined }) });

  it("counts messages' text, images and media as the closure over Object.values did", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(message, fc.anything())), fc.option(fc.anything(), { nil: undefined }), (messages, tools) => {
        expect(estimatePromptTokens(messages, tools)).toBe(closureEstimate(messages, tools));
      }),
      { numRuns: 2000 },
    );
  });

  it("costs text by characters, images and documents by fixed amounts", () => {
    const messages = [{ role: "user", content: [{ type: "text", text: "x".repeat(40) }, { type: "image_url", image_url: { url: "u" } }, { type: "file", file: { file_id: "f" } }] }];
    expect(estimatePromptTokens(messages)).toBe(Math.ceil(("user" + "text" + "x".repeat(40)).length / 4) + 4 + IMAGE_TOKENS_ESTIMATE + FILE_TOKENS_ESTIMATE);
  });
});
