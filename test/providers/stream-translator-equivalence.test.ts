/**
 * The Anthropic and Gemini stream translators, plain iterators, against the async generators they
 * replaced (generator-stream-translators.ts): on generated event sequences covering every event
 * kind (error events, invalid and non-object events, cut streams, end markers with and without
 * usage), both give the same chunks in the same order, the same failure, and the same meta.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { translateAnthropicStream } from "../../src/providers/anthropic/stream.js";
import { translateGeminiStream } from "../../src/providers/gemini/stream.js";
import type { StreamMeta } from "../../src/providers/shared/exchange.js";
import type { SseEvent } from "../../src/providers/shared/sse-parser.js";
import type { StreamChunk } from "../../src/providers/spec.js";
import { anthropicStreamGenerator, geminiStreamGenerator } from "./generator-stream-translators.js";

type Translator = (events: AsyncIterable<SseEvent>, meta: StreamMeta) => AsyncIterator<StreamChunk>;

/** Every chunk up to the end or the failure, and the meta learnt on the way. */
async function outcome(translate: Translator, events: SseEvent[]) {
  const meta: StreamMeta = { upstreamId: "", model: "" };
  const chunks: StreamChunk[] = [];
  async function* source(): AsyncGenerator<SseEvent> {
    for (const event of events) yield event;
  }
  const iterator = translate(source(), meta);
  let failure: unknown;
  try {
    for (;;) {
      const next = await iterator.next();
      if (next.done) break;
      chunks.push(next.value);
    }
  } catch (error) {
    failure = error instanceof Error ? { ...error, name: error.name, message: error.message } : error;
  }
  // after the end or a failure, the iterator stays done
  const after = failure === undefined ? await iterator.next() : await iterator.next().catch(() => "threw");
  return { chunks, failure, meta, after };
}

const text = fc.oneof(fc.constant(""), fc.string({ maxLength: 6 }));
const index = fc.integer({ min: 0, max: 1 });
const usage = fc.option(
  fc.record(
    { input_tokens: fc.nat(50), output_tokens: fc.nat(50), cache_read_input_tokens: fc.option(fc.nat(9)), cache_creation_input_tokens: fc.nat(9) },
    { requiredKeys: [] },
  ),
  { nil: undefined },
);
const anthropicEvent: fc.Arbitrary<SseEvent> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ id: fc.string({ maxLength: 4 }), model: fc.string({ maxLength: 4 }), usage }).map((message) => ({ type: "message_start", message })) },
  {
    weight: 6,
    arbitrary: fc
      .oneof(
        fc.record({ type: fc.constant("text"), text }),
        fc.record({ type: fc.constant("tool_use"), id: text, name: fc.constantFrom("get_weather", "json_answer") }),
        fc.record({ type: fc.constant("thinking"), thinking: text }),
        fc.record({ type: fc.constant("redacted_thinking"), data: text }),
      )
      .chain((content_block) => index.map((i) => ({ type: "content_block_start", index: i, content_block }))),
  },
  {
    weight: 10,
    arbitrary: fc
      .oneof(
        fc.record({ type: fc.constant("text_delta"), text }),
        fc.record({ type: fc.constant("thinking_delta"), thinking: text }),
        fc.record({ type: fc.constant("signature_delta"), signature: text }),
        fc.record({ type: fc.constant("input_json_delta"), partial_json: text }),
        fc.record({ type: fc.constant("citations_delta") }),
      )
      .chain((delta) => index.map((i) => ({ type: "content_block_delta", index: i, delta }))),
  },
  { weight: 2, arbitrary: index.map((i) => ({ type: "content_block_stop", index: i })) },
  {
    weight: 3,
    arbitrary: fc
      .record({ stop: fc.option(fc.constantFrom("end_turn", "max_tokens", "tool_use", "stop_sequence", "refusal"), { nil: null }), usage })
      .map(({ stop, usage }) => ({ type: "message_delta", delta: { stop_reason: stop }, ...(usage === undefined ? {} : { usage }) })),
  },
  { weight: 1, arbitrary: fc.constant({ type: "ping" }) },
  { weight: 1, arbitrary: fc.constant({ type: "message_stop" }) },
  { weight: 1, arbitrary: fc.constant({ type: "error", error: { type: "overloaded_error", message: "Overloaded" } }) },
  { weight: 1, arbitrary: fc.constant({ type: "some_later_event" }) },
).map((data) => ({ event: String((data as { type: unknown }).type), data: JSON.stringify(data) }));
const malformed: fc.Arbitrary<SseEvent> = fc.constantFrom({ event: "message", data: "{not json" }, { event: "message", data: "[1]" });
/** Mostly valid sequences, now and then a malformed event, some ending at message_stop and some cut. */
const anthropicEvents = fc.tuple(
  fc.array(fc.oneof({ weight: 30, arbitrary: anthropicEvent }, { weight: 1, arbitrary: malformed }), { maxLength: 14 }),
  fc.boolean(),
).map(([events, stop]) => (stop ? [...events, { event: "message_stop", data: JSON.stringify({ type: "message_stop" }) }, ...events.slice(0, 2)] : events));

const part = fc.oneof(
  fc.record({ text }),
  fc.record({ text, thought: fc.constant(true) }),
  // with an id: without one, each translation draws a random id
  fc.record({ functionCall: fc.record({ id: fc.constantFrom("c1", "c2"), name: fc.constantFrom("f", "g"), args: fc.dictionary(fc.constantFrom("a", "b"), fc.nat(9)) }) }),
);
const geminiEvent: fc.Arbitrary<SseEvent> = fc
  .oneof(
    { weight: 20, arbitrary: fc.record(
      {
        responseId: fc.string({ maxLength: 4 }),
        modelVersion: fc.string({ maxLength: 4 }),
        candidates: fc.array(
          fc.record(
            {
              content: fc.record({ parts: fc.array(part, { maxLength: 3 }) }),
              finishReason: fc.constantFrom("STOP", "MAX_TOKENS", "SAFETY", "MALFORMED_FUNCTION_CALL"),
              logprobsResult: fc.record({ chosenCandidates: fc.array(fc.record({ token: text, logProbability: fc.double({ min: -5, max: 0, noNaN: true }) }), { maxLength: 2 }) }),
            },
            { requiredKeys: ["content"] },
          ),
          { maxLength: 1 },
        ),
        usageMetadata: fc.record({ promptTokenCount: fc.nat(50), candidatesTokenCount: fc.nat(50), thoughtsTokenCount: fc.nat(9) }, { requiredKeys: [] }),
        promptFeedback: fc.constant({ blockReason: "SAFETY" }),
      },
      { requiredKeys: [] },
    ) },
    { weight: 1, arbitrary: fc.constant({ error: { code: 429, message: "Resource exhausted", status: "RESOURCE_EXHAUSTED" } }) },
  )
  .map((data) => ({ event: "message", data: JSON.stringify(data) }));
const geminiEvents = fc.array(fc.oneof({ weight: 30, arbitrary: geminiEvent }, { weight: 1, arbitrary: malformed }), { maxLength: 8 });

describe("stream translators as plain iterators", () => {
  it("Anthropic: the same chunks, failure and meta as the generator", async () => {
    await fc.assert(
      fc.asyncProperty(anthropicEvents, fc.constantFrom(undefined, "json_answer"), async (events, jsonTool) => {
        const plain = await outcome((source, meta) => translateAnthropicStream(source, meta, jsonTool), events);
        const generator = await outcome((source, meta) => anthropicStreamGenerator(source, meta, jsonTool), events);
        expect(plain).toEqual(generator);
      }),
      { numRuns: 1_000 },
    );
  });

  it("Gemini: the same chunks, failure and meta as the generator, cut or not", async () => {
    await fc.assert(
      fc.asyncProperty(geminiEvents, fc.boolean(), async (events, cut) => {
        const plain = await outcome((source, meta) => translateGeminiStream(source, meta, () => cut), events);
        const generator = await outcome((source, meta) => geminiStreamGenerator(source, meta, () => cut), events);
        expect(plain).toEqual(generator);
      }),
      { numRuns: 1_000 },
    );
  });

  it("covers the kinds that matter: chunks, a usage chunk, a finish and each failure", async () => {
    // the generated sequences above are only a check if they reach these outcomes; one of each here
    const stop = (data: object) => ({ event: "message", data: JSON.stringify(data) });
    const complete = await outcome((source, meta) => translateAnthropicStream(source, meta), [
      stop({ type: "message_start", message: { id: "msg", model: "claude", usage: { input_tokens: 3 } } }),
      stop({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "Hi" } }),
      stop({ type: "message_delta", delta: { stop_reason: "end_turn" }, usage: { output_tokens: 1 } }),
      stop({ type: "message_stop" }),
    ]);
    expect(complete.chunks.map((chunk) => chunk.delta.content ?? chunk.finishReason ?? chunk.usage?.promptTokens ?? chunk.delta.role)).toEqual([
      "assistant",
      "Hi",
      "stop",
      3,
    ]);
    expect(complete.meta).toEqual({ upstreamId: "msg", model: "claude" });
    const cut = await outcome((source, meta) => translateGeminiStream(source, meta, () => false), [stop({ candidates: [{ content: { parts: [{ text: "a" }] } }] })]);
    expect(cut.failure).toMatchObject({ kind: "reset" });
    const both = await outcome((source, meta) => translateGeminiStream(source, meta, () => false), [
      stop({ candidates: [{ content: { parts: [{ text: "a" }] }, finishReason: "STOP" }], usageMetadata: { promptTokenCount: 2 } }),
    ]);
    expect(both.chunks.map((chunk) => chunk.delta.content ?? chunk.finishReason ?? chunk.usage?.promptTokens)).toEqual(["a", "stop", 2]);
  });
});
