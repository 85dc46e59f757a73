/** Conformance cases: translation both ways and streaming order, usage and tool calls. */
import { describe, expect, it } from "vitest";
import { collect, type ConformanceEnv } from "./conformance-env.js";

const PNG_BASE64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

const weatherTool = {
  type: "function" as const,
  function: {
    name: "get_weather",
    description: "Current weather for a city",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  },
};

/** Requests and answers translate faithfully, complete and streamed. */
export function translationCases(env: ConformanceEnv): void {
  describe("translation", () => {
    it("answers a text prompt and sends model, key and sampling fields", async () => {
      env.fake.setScript({ text: "Paris is the capital.", usage: { prompt: 21, completion: 5 } });
      const response = await env.adapter.complete(
        env.ask("Capital of France?", { temperature: 0.3, max_tokens: 64, stop: ["\n\n"] }),
        env.context(),
      );
      expect(response.message.content).toBe("Paris is the capital.");
      expect(response.finishReason).toBe("stop");
      expect(response.nativeFinishReason).toBeTruthy();
      expect(response.usage.promptTokens).toBe(21);
      expect(response.usage.completionTokens).toBe(5);
      expect(response.upstreamId).not.toBe("");
      expect(response.usageReported).toBe(true);
      const seen = env.fake.lastRequest();
      expect(env.protocol.read.apiKey(seen)).toBe("sk-test-123");
      expect(env.protocol.read.model(seen)).toBe("test-model-1");
      expect(env.protocol.read.isStream(seen)).toBe(false);
      expect(env.protocol.read.userTexts(seen)).toEqual(["Capital of France?"]);
      expect(env.protocol.read.temperature(seen)).toBe(0.3);
      expect(env.protocol.read.maxTokens(seen)).toBe(64);
      expect(env.protocol.read.stop(seen)).toEqual(["\n\n"]);
    });

    it("passes the system prompt the protocol's way", async () => {
      env.fake.setScript({});
      await env.adapter.complete(
        { model: "test-model-1", messages: [{ role: "system", content: "Answer in French." }, { role: "user", content: "Hi" }] },
        env.context(),
      );
      const seen = env.fake.lastRequest();
      expect(env.protocol.read.system(seen)).toBe("Answer in French.");
      expect(env.protocol.read.userTexts(seen)).toEqual(["Hi"]);
    });

    it("sends image parts, inline base64 and by URL", async () => {
      env.fake.setScript({ text: "A red pixel." });
      await env.adapter.complete(
        {
          model: "test-model-1",
          messages: [
            {
              role: "user",
              content: [
                { type: "text", text: "What is in these images?" },
                { type: "image_url", image_url: { url: `data:image/png;base64,${PNG_BASE64}` } },
                { type: "image_url", image_url: { url: "https://example.com/cat.jpg" } },
              ],
            },
          ],
        },
        env.context(),
      );
      const images = env.protocol.read.images(env.fake.lastRequest());
      expect(images).toHaveLength(2);
      expect(images[0]).toContain(PNG_BASE64);
      expect(images[1]).toBe("https://example.com/cat.jpg");
    });

    it("round-trips tools: a tool call out, the tool result back in", async () => {
      env.fake.setScript({ toolCalls: [{ id: "call_abc123", name: "get_weather", arguments: { city: "Paris" } }] });
      const first = await env.adapter.complete(env.ask("Weather in Paris?", { tools: [weatherTool], tool_choice: "auto" }), env.context());
      expect(env.protocol.read.toolNames(env.fake.lastRequest())).toEqual(["get_weather"]);
      expect(first.finishReason).toBe("tool_calls");
      const call = first.message.tool_calls?.[0];
      expect(call?.function.name).toBe("get_weather");
      expect(JSON.parse(call?.function.arguments ?? "null")).toEqual({ city: "Paris" });
      expect(call?.id).toBeTruthy();

      env.fake.setScript({ text: "It is sunny in Paris." });
      const second = await env.adapter.complete(
        {
          model: "test-model-1",
          tools: [weatherTool],
          messages: [
            { role: "user", content: "Weather in Paris?" },
            { role: "assistant", content: null, tool_calls: first.message.tool_calls },
            { role: "tool", tool_call_id: call!.id, content: '{"sky":"sunny"}' },
          ],
        },
        env.context(),
      );
      expect(second.message.content).toBe("It is sunny in Paris.");
      const seen = env.fake.lastRequest();
      const calls = env.protocol.read.assistantToolCalls(seen);
      expect(calls).toHaveLength(1);
      expect(calls[0]?.name).toBe("get_weather");
      expect(calls[0]?.args).toEqual({ city: "Paris" });
      const results = env.protocol.read.toolResults(seen);
      expect(results).toHaveLength(1);
      expect(results[0]?.ref).toBe(env.protocol.toolResultsById ? call!.id : "get_weather");
      expect(results[0]?.content).toContain("sunny");
    });

    it.each([
      ["length", "length"],
      ["content_filter", "content_filter"],
      ["stop", "stop"],
    ] as const)("maps a %s finish to %s and keeps the native reason", async (finish, expected) => {
      env.fake.setScript({ text: "cut", finish });
      const response = await env.adapter.complete(env.ask("Go"), env.context());
      expect(response.finishReason).toBe(expected);
      expect(typeof response.nativeFinishReason).toBe("string");
    });

    it("reports usage with cached, cache-write and reasoning tokens", async () => {
      const usage = { prompt: 2000, completion: 300, cached: 1500, cacheWrite: env.protocol.reportsCacheWrite ? 200 : 0, reasoning: 120 };
      env.fake.setScript({ text: "ok", usage });
      const response = await env.adapter.complete(env.ask("Long prompt"), env.context());
      expect(response.usage).toEqual({
        promptTokens: 2000,
        completionTokens: 300,
        cachedPromptTokens: 1500,
        cacheWritePromptTokens: usage.cacheWrite,
        reasoningTokens: env.protocol.reportsReasoningTokens ? 120 : 0,
      });
    });

    it.skipIf(env.protocol.alwaysReportsUsage)("says so when the upstream reports no usage, complete and streamed", async () => {
      env.fake.setScript({ text: "No counts here.", omitUsage: true });
      const response = await env.adapter.complete(env.ask("x"), env.context());
      expect(response.usageReported).toBe(false);
      expect(response.usage.completionTokens).toBe(0);
      const stream = await env.adapter.stream(env.ask("x"), env.context());
      const chunks = await collect(stream.chunks);
      expect(chunks.map((c) => c.delta.content ?? "").join("")).toBe("No counts here.");
      expect(chunks.some((c) => c.usage !== undefined)).toBe(false);
    });

    it("returns reasoning text separately from the answer", async () => {
      env.fake.setScript({ reasoning: "Think first.", text: "42" });
      const response = await env.adapter.complete(env.ask("Meaning?"), env.context());
      expect(response.message.content).toBe("42");
      expect(response.message.reasoning).toBe("Think first.");
    });
  });

  describe("streaming", () => {
    it("streams content in order, the finish before the final usage chunk", async () => {
      env.fake.setScript({ text: "One two three four.", usage: { prompt: 9, completion: 4, cached: 3 }, comments: true });
      const stream = await env.adapter.stream(env.ask("Count"), env.context());
      expect(stream.firstChunkAt).toBeGreaterThanOrEqual(stream.startedAt);
      const chunks = await collect(stream.chunks);
      expect(env.protocol.read.isStream(env.fake.lastRequest())).toBe(true);
      expect(chunks.map((c) => c.delta.content ?? "").join("")).toBe("One two three four.");
      expect(chunks.filter((c) => (c.delta.content ?? "") !== "").length).toBeGreaterThan(1);
      const finishIndex = chunks.findIndex((c) => c.finishReason !== null);
      expect(chunks[finishIndex]?.finishReason).toBe("stop");
      const last = chunks.at(-1)!;
      expect(finishIndex).toBeLessThan(chunks.length - 1);
      expect(last.usage).toEqual({ promptTokens: 9, completionTokens: 4, cachedPromptTokens: 3, cacheWritePromptTokens: 0, reasoningTokens: 0 });
      expect(chunks.filter((c) => c.usage !== undefined)).toHaveLength(1);
    });

    it("parses frames split across TCP writes, through multi-byte characters", async () => {
      env.fake.setScript({ text: "Grüße aus 東京 ✓ done", usage: { prompt: 5, completion: 6 }, splitFramesBytes: 7 });
      const stream = await env.adapter.stream(env.ask("Greet"), env.context());
      const chunks = await collect(stream.chunks);
      expect(chunks.map((c) => c.delta.content ?? "").join("")).toBe("Grüße aus 東京 ✓ done");
      expect(chunks.at(-1)?.usage?.completionTokens).toBe(6);
    });

    it("streams a tool call that assembles to the full arguments", async () => {
      env.fake.setScript({ toolCalls: [{ id: "call_s1", name: "get_weather", arguments: { city: "Oslo", unit: "celsius" } }] });
      const stream = await env.adapter.stream(env.ask("Weather?", { tools: [weatherTool] }), env.context());
      const chunks = await collect(stream.chunks);
      const pieces = chunks.flatMap((c) => c.delta.tool_calls ?? []);
      expect(pieces[0]?.id).toBeTruthy();
      expect(pieces[0]?.function?.name).toBe("get_weather");
      const args = pieces.map((p) => p.function?.arguments ?? "").join("");
      expect(JSON.parse(args)).toEqual({ city: "Oslo", unit: "celsius" });
      expect(chunks.find((c) => c.finishReason !== null)?.finishReason).toBe("tool_calls");
    });

    it("streams reasoning before content", async () => {
      env.fake.setScript({ reasoning: "Let me think.", text: "Done." });
      const stream = await env.adapter.stream(env.ask("Think"), env.context());
      const chunks = await collect(stream.chunks);
      expect(chunks.map((c) => c.delta.reasoning ?? "").join("")).toBe("Let me think.");
      const firstReasoning = chunks.findIndex((c) => c.delta.reasoning);
      const firstContent = chunks.findIndex((c) => c.delta.content);
      expect(firstReasoning).toBeLessThan(firstContent);
    });
  });
}
