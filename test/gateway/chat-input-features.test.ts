/**
 * The chat input keeps what must reach the provider: cache breakpoints (and top-level automatic
 * caching), documents, audio, reasoning_effort, reasoning_details and OpenAI's extra fields; it
 * tells routing which inputs need which modality and which conversation a request continues.
 * The one charge function prices cache reads and writes and states what caching saved.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load.js";
import { computeCharge } from "../../src/domain/charge.js";
import { parseChatInput } from "../../src/gateway/chat-input.js";
import { errorOf } from "../support/app-error.js";

const PDF = "data:application/pdf;base64,JVBERi0xLjQK";

describe("chat input", () => {
  it("keeps cache_control on content parts of every role", () => {
    const breakpoint = { type: "ephemeral", ttl: "1h" };
    const input = parseChatInput({
      model: "m",
      messages: [
        { role: "system", content: [{ type: "text", text: "Stable", cache_control: breakpoint }] },
        { role: "user", content: [{ type: "text", text: "Doc", cache_control: { type: "ephemeral" } }, { type: "file", file: { file_data: PDF }, cache_control: breakpoint }] },
      ],
    });
    expect(input.request.messages).toEqual([
      { role: "system", content: [{ type: "text", text: "Stable", cache_control: breakpoint }] },
      { role: "user", content: [{ type: "text", text: "Doc", cache_control: { type: "ephemeral" } }, { type: "file", file: { file_data: PDF }, cache_control: breakpoint }] },
    ]);
    expect(input.routing).toMatchObject({ hasFiles: true, hasAudio: false });
  });

  it("top-level cache_control marks the last block of the last message with content", () => {
    const input = parseChatInput({
      model: "m",
      cache_control: { type: "ephemeral" },
      messages: [
        { role: "system", content: "Stable" },
        { role: "user", content: "Question" },
        { role: "assistant", content: "" },
      ],
    });
    expect(input.request.messages[1]).toEqual({ role: "user", content: [{ type: "text", text: "Question", cache_control: { type: "ephemeral" } }] });
    expect(input.request.messages[0]).toEqual({ role: "system", content: "Stable" });
  });

  it("the conversation key is the session id, else the opening, the same on every turn", () => {
    const opening = [{ role: "system", content: "Be brief." }, { role: "user", content: "Hi" }];
    const first = parseChatInput({ model: "m", messages: opening, cache_control: { type: "ephemeral" } }).routing.sessionKey?.();
    const later = parseChatInput({ model: "m", messages: [...opening, { role: "assistant", content: "Hello" }, { role: "user", content: "More" }] }).routing.sessionKey?.();
    const other = parseChatInput({ model: "m", messages: [{ role: "user", content: "Bye" }] }).routing.sessionKey?.();
    expect(first).toBe(later);
    expect(other).not.toBe(first);
    expect(parseChatInput({ model: "m", messages: opening, session_id: "s-1" }).routing.sessionKey?.()).toBe("session:s-1");
    expect(parseChatInput({ model: "m", messages: opening }, { sessionIdHeader: "h-1" }).routing.sessionKey?.()).toBe("session:h-1");
    expect(parseChatInput({ model: "m", messages: opening, session_id: "s-1" }, { sessionIdHeader: "h-1" }).routing.sessionKey?.()).toBe("session:s-1");
    const keyed = parseChatInput({ model: "m", messages: opening, prompt_cache_key: "k-1" });
    expect(keyed.routing.sessionKey?.()).toBe("session:k-1");
    expect(keyed.request.prompt_cache_key).toBe("k-1");
  });

  it("reasoning_effort is reasoning.effort; the reasoning object wins", () => {
    expect(parseChatInput({ model: "m", messages: [{ role: "user", content: "x" }], reasoning_effort: "low" }).request.reasoning).toEqual({ effort: "low" });
    expect(parseChatInput({ model: "m", messages: [{ role: "user", content: "x" }], reasoning_effort: "low", reasoning: { effort: "high", exclude: true } }).request.reasoning).toEqual({
      effort: "high",
      exclude: true,
    });
  });

  it("keeps reasoning_details on assistant turns, leaving out entries of no known type", () => {
    const detail = { type: "reasoning.text", text: "t", signature: "sig", format: "anthropic-claude-v1", index: 0 };
    const input = parseChatInput({
      model: "m",
      messages: [
        { role: "user", content: "x" },
        { role: "assistant", content: "y", reasoning_details: [detail, { type: "vendor.secret", blob: 1 }, "junk"] },
      ],
    });
    expect(input.request.messages[1]).toMatchObject({ role: "assistant", reasoning_details: [detail] });
  });

  it("passes prediction, service_tier, modalities, verbosity and audio through, and validates them", () => {
    const input = parseChatInput({
      model: "m",
      messages: [{ role: "user", content: [{ type: "input_audio", input_audio: { data: "UklGRg==", format: "wav" } }] }],
      prediction: { type: "content", content: "draft" },
      service_tier: "flex",
      modalities: ["text"],
      verbosity: "high",
      logprobs: true,
      top_logprobs: 3,
    });
    expect(input.request).toMatchObject({ prediction: { type: "content", content: "draft" }, service_tier: "flex", modalities: ["text"], verbosity: "high", logprobs: true, top_logprobs: 3 });
    expect(input.routing).toMatchObject({ hasAudio: true, hasFiles: false });
    expect(input.routing.requestedParameters).toEqual(expect.arrayContaining(["prediction", "service_tier", "modalities", "verbosity", "logprobs", "top_logprobs"]));
    for (const [body, param] of [
      [{ verbosity: "loud" }, "verbosity"],
      [{ cache_control: { type: "persistent" } }, "cache_control.type"],
      [{ messages: [{ role: "user", content: [{ type: "file", file: { filename: "x.pdf" } }] }] }, "messages.0.content.0.file"],
    ] as const) {
      const error = errorOf(() => parseChatInput({ model: "m", messages: [{ role: "user", content: "x" }], ...body }));
      expect(error.httpStatus).toBe(400);
      expect(error.metadata.param).toBe(param);
    }
  });
});

describe("cache pricing", () => {
  // Claude Sonnet: $3 prompt, $0.30 cache read, $3.75 cache write, $15 completion per million
  const pricing = {
    promptNanoPerMillion: 3_000_000_000n,
    completionNanoPerMillion: 15_000_000_000n,
    cacheReadNanoPerMillion: 300_000_000n,
    cacheWriteNanoPerMillion: 3_750_000_000n,
  };

  it("cache reads and writes at the catalog's prices; the discount is what caching saved at list price", () => {
    const read = computeCharge({ promptTokens: 10_000, completionTokens: 100, cachedPromptTokens: 9_000 }, pricing, 500);
    // 1,000 fresh × $3 + 9,000 read × $0.30 + 100 × $15 = 3,000,000 + 2,700,000 + 1,500,000 nano
    expect(read.baseNano).toBe(7_200_000n);
    expect(read.cacheDiscountNano).toBe(27_000_000n - 2_700_000n);
    const write = computeCharge({ promptTokens: 10_000, completionTokens: 0, cacheWritePromptTokens: 9_000 }, pricing, 500);
    expect(write.baseNano).toBe(3_000_000n + 33_750_000n);
    expect(write.cacheDiscountNano).toBe(-6_750_000n);
    expect(computeCharge({ promptTokens: 10_000, completionTokens: 0 }, pricing, 500).cacheDiscountNano).toBe(0n);
  });
});

describe("config", () => {
  it("an endpoint in the config file can state its own input modalities (one provider reads PDFs, another not)", () => {
    const path = join(mkdtempSync(join(tmpdir(), "farebox-modalities-")), "farebox.yaml");
    writeFileSync(
      path,
      [
        "providers:",
        "  a: { protocol: openai, base_url: http://127.0.0.1:1/v1, api_key: k }",
        "models:",
        "  - id: test/docs",
        "    context_length: 1000",
        "    endpoints:",
        "      - { provider: a, model: m, pricing: { prompt: \"0.000001\", completion: \"0.000001\" }, input_modalities: [text, file] }",
      ].join("\n"),
    );
    const config = loadConfig({ FAREBOX_CONFIG: path });
    expect(config.models[0]!.endpoints[0]!.input_modalities).toEqual(["text", "file"]);
  });
});
