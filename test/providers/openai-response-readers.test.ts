/**
 * The OpenAI response's readers skip what is absent without building empty arrays and objects:
 * for any JSON in `tool_calls`, `reasoning_details` and `usage` they read what the former
 * readers (kept here as the reference) read.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fromOpenAIResponse, readReasoningDetails, readUsage } from "../../src/providers/openai-compatible/response.js";
import { asArray, asRecord, asString, asTokenCount } from "../../src/providers/shared/json.js";

function referenceToolCalls(value: unknown) {
  const calls = asArray(value)
    .map(asRecord)
    .filter((call) => call !== undefined)
    .map((call) => {
      const fn = asRecord(call.function) ?? {};
      const args = fn.arguments;
      return {
        id: asString(call.id) ?? "",
        type: "function" as const,
        function: { name: asString(fn.name) ?? "", arguments: typeof args === "string" ? args : JSON.stringify(args ?? {}) },
      };
    });
  return calls.length > 0 ? calls : undefined;
}

function referenceReasoningDetails(value: unknown) {
  const details = asArray(value)
    .map(asRecord)
    .filter((detail) => typeof detail?.type === "string");
  return details.length > 0 ? details : undefined;
}

function referenceUsage(value: unknown) {
  const usage = asRecord(value) ?? {};
  const promptDetails = asRecord(usage.prompt_tokens_details) ?? {};
  const completionDetails = asRecord(usage.completion_tokens_details) ?? {};
  const cached = asTokenCount(promptDetails.cached_tokens);
  return {
    promptTokens: asTokenCount(usage.prompt_tokens),
    completionTokens: asTokenCount(usage.completion_tokens),
    cachedPromptTokens: cached !== 0 ? cached : asTokenCount(usage.prompt_cache_hit_tokens),
    cacheWritePromptTokens: asTokenCount(promptDetails.cache_write_tokens),
    reasoningTokens: asTokenCount(completionDetails.reasoning_tokens),
  };
}

const json = fc.jsonValue({ maxDepth: 3 });
const count = fc.oneof(fc.nat(), fc.constant(null), fc.constant(-1), fc.string({ maxLength: 3 }), fc.double());
/** Absent, null, a scalar, an object, or an array mixing records and anything else. */
const field = fc.oneof(
  fc.constant(undefined),
  json,
  fc.array(fc.oneof(json, fc.record({ type: fc.oneof(fc.string({ maxLength: 5 }), fc.nat()), id: json, function: fc.oneof(json, fc.record({ name: json, arguments: json })) }, { requiredKeys: [] })), {
    maxLength: 4,
  }),
);
const usage = fc.oneof(
  fc.constant(undefined),
  json,
  fc.record(
    {
      prompt_tokens: count,
      completion_tokens: count,
      prompt_cache_hit_tokens: count,
      prompt_tokens_details: fc.oneof(json, fc.record({ cached_tokens: count, cache_write_tokens: count }, { requiredKeys: [] })),
      completion_tokens_details: fc.oneof(json, fc.record({ reasoning_tokens: count }, { requiredKeys: [] })),
    },
    { requiredKeys: [] },
  ),
);

describe("the OpenAI response's readers", () => {
  it("read tool calls, reasoning details and usage from any JSON as the former readers did", () => {
    fc.assert(
      fc.property(field, field, usage, (toolCalls, details, reportedUsage) => {
        const message: Record<string, unknown> = { role: "assistant", content: "hi" };
        if (toolCalls !== undefined) message.tool_calls = toolCalls;
        if (details !== undefined) message.reasoning_details = details;
        const body: Record<string, unknown> = { id: "x", choices: [{ message, finish_reason: null }] };
        if (reportedUsage !== undefined) body.usage = reportedUsage;
        const read = fromOpenAIResponse(body, "m");
        expect(read.message.tool_calls).toEqual(referenceToolCalls(toolCalls));
        expect("tool_calls" in read.message).toBe(referenceToolCalls(toolCalls) !== undefined);
        expect(read.message.reasoning_details).toEqual(referenceReasoningDetails(details));
        expect("reasoning_details" in read.message).toBe(referenceReasoningDetails(details) !== undefined);
        expect(read.finishReason).toBe(referenceToolCalls(toolCalls) ? "tool_calls" : "stop");
        expect(read.usage).toEqual(referenceUsage(reportedUsage));
        expect(readReasoningDetails(details)).toEqual(referenceReasoningDetails(details));
        expect(readUsage(reportedUsage)).toEqual(referenceUsage(reportedUsage));
      }),
      { numRuns: 3_000 },
    );
  });
});
