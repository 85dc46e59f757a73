/**
 * Conformance cases for request fields beyond the conversation itself: message names, the end
 * user, assistant prefill and JSON answers (response_format), complete and streamed.
 */
import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { ChatRequest } from "../../src/providers/spec.js";
import { collect, type ConformanceEnv } from "./conformance-env.js";

const citySchema = {
  type: "object",
  properties: { city: { type: "string" }, population: { type: "integer" } },
  required: ["city", "population"],
  additionalProperties: false,
};

const jsonSchemaFormat: ChatRequest["response_format"] = { type: "json_schema", json_schema: { name: "city", strict: true, schema: citySchema } };

/** The upstream id a well-behaved gateway derives for an account's end user. */
const expectedHash = (accountId: string, user: string): string => createHmac("sha256", accountId).update(user).digest("hex");

/** Names, end user, prefill and response_format reach the upstream faithfully and answers come back in OpenAI's shape. */
export function requestFieldCases(env: ConformanceEnv): void {
  describe("request fields", () => {
    it("sends message names the protocol's way", async () => {
      env.fake.setScript({ text: "Hi both." });
      await env.adapter.complete(
        {
          model: "test-model-1",
          messages: [
            { role: "user", name: "alice", content: "Hi" },
            { role: "assistant", content: "Hello." },
            { role: "user", name: "bob", content: [{ type: "text", text: "And me?" }] },
          ],
        },
        env.context(),
      );
      const seen = env.fake.lastRequest();
      if (env.protocol.namesAsField) {
        expect(env.protocol.read.userTexts(seen)).toEqual(["Hi", "And me?"]);
        expect(env.protocol.read.names(seen)).toEqual(["alice", "bob"]);
      } else {
        expect(env.protocol.read.userTexts(seen)).toEqual(["alice: Hi", "bob: And me?"]);
        expect(env.protocol.read.names(seen)).toEqual([]);
      }
    });

    it("sends the end user only as a stable hash keyed by the paying account", async () => {
      env.fake.setScript({});
      const ask = (accountId: string): ChatRequest => env.ask("x", { user: "end-user-7f3a", accountId });
      const request = ask("acct_one");
      await env.adapter.complete(request, env.context());
      const first = env.fake.lastRequest();
      await env.adapter.complete(ask("acct_one"), env.context());
      const again = env.fake.lastRequest();
      await env.adapter.complete(ask("acct_two"), env.context());
      const other = env.fake.lastRequest();
      expect(request.user).toBe("end-user-7f3a");
      for (const seen of [first, again, other]) {
        expect(JSON.stringify(seen.body)).not.toContain("end-user-7f3a");
        expect(JSON.stringify(seen.body)).not.toContain("acct_");
      }
      if (!env.protocol.sendsEndUser) {
        expect(env.protocol.read.endUser(first)).toBeUndefined();
        return;
      }
      expect(env.protocol.read.endUser(first)).toBe(expectedHash("acct_one", "end-user-7f3a"));
      expect(env.protocol.read.endUser(again)).toBe(env.protocol.read.endUser(first));
      expect(env.protocol.read.endUser(other)).toBe(expectedHash("acct_two", "end-user-7f3a"));
      expect(env.protocol.read.endUser(other)).not.toBe(env.protocol.read.endUser(first));
    });

    it("continues a trailing assistant message (prefill), complete and streamed", async () => {
      const prefilled: ChatRequest = {
        model: "test-model-1",
        messages: [
          { role: "user", content: "Write a haiku about rain." },
          { role: "assistant", content: "Rain on the tin roof" },
        ],
      };
      env.fake.setScript({ text: ", counting every hour." });
      const response = await env.adapter.complete(prefilled, env.context());
      expect(response.message.content).toBe(", counting every hour.");
      expect(env.protocol.read.lastTurn(env.fake.lastRequest())).toEqual({ role: "assistant", text: "Rain on the tin roof" });
      const stream = await env.adapter.stream(prefilled, env.context());
      const chunks = await collect(stream.chunks);
      expect(chunks.map((c) => c.delta.content ?? "").join("")).toBe(", counting every hour.");
      expect(env.protocol.read.lastTurn(env.fake.lastRequest()).role).toBe("assistant");
    });

    it("accepts a prefill that ends in whitespace", async () => {
      env.fake.setScript({ text: "blue." });
      const response = await env.adapter.complete(
        { model: "test-model-1", messages: [{ role: "user", content: "Sky colour?" }, { role: "assistant", content: "The sky is " }] },
        env.context(),
      );
      expect(response.message.content).toBe("blue.");
      expect(env.protocol.read.lastTurn(env.fake.lastRequest()).text.trimEnd()).toBe("The sky is");
    });

    it("asks for a JSON schema answer and returns the JSON as the message text, complete and streamed", async () => {
      const answer = { city: "Paris", population: 2102650 };
      env.fake.setScript({ text: JSON.stringify(answer), usage: { prompt: 30, completion: 12 } });
      const response = await env.adapter.complete(env.ask("Largest French city?", { response_format: jsonSchemaFormat }), env.context());
      expect(env.protocol.read.jsonOutput(env.fake.lastRequest())).toEqual({ json: true, schema: citySchema });
      expect(JSON.parse(response.message.content ?? "")).toEqual(answer);
      expect(response.message.tool_calls).toBeUndefined();
      expect(response.finishReason).toBe("stop");
      expect(response.usage.completionTokens).toBe(12);
      const stream = await env.adapter.stream(env.ask("Largest French city?", { response_format: jsonSchemaFormat }), env.context());
      const chunks = await collect(stream.chunks);
      expect(JSON.parse(chunks.map((c) => c.delta.content ?? "").join(""))).toEqual(answer);
      expect(chunks.some((c) => c.delta.tool_calls !== undefined)).toBe(false);
      expect(chunks.find((c) => c.finishReason !== null)?.finishReason).toBe("stop");
    });

    it("asks for a JSON object answer and returns it as the message text, complete and streamed", async () => {
      const answer = { colours: ["red", "green"], count: 2 };
      env.fake.setScript({ text: JSON.stringify(answer) });
      const response = await env.adapter.complete(env.ask("Two colours as JSON", { response_format: { type: "json_object" } }), env.context());
      expect(env.protocol.read.jsonOutput(env.fake.lastRequest()).json).toBe(true);
      expect(JSON.parse(response.message.content ?? "")).toEqual(answer);
      expect(response.message.tool_calls).toBeUndefined();
      expect(response.finishReason).toBe("stop");
      const stream = await env.adapter.stream(env.ask("Two colours as JSON", { response_format: { type: "json_object" } }), env.context());
      const chunks = await collect(stream.chunks);
      expect(JSON.parse(chunks.map((c) => c.delta.content ?? "").join(""))).toEqual(answer);
      expect(chunks.some((c) => c.delta.tool_calls !== undefined)).toBe(false);
      expect(chunks.find((c) => c.finishReason !== null)?.finishReason).toBe("stop");
    });

    it("sends no JSON request for a plain text response_format", async () => {
      env.fake.setScript({});
      await env.adapter.complete(env.ask("x", { response_format: { type: "text" } }), env.context());
      expect(env.protocol.read.jsonOutput(env.fake.lastRequest()).json).toBe(false);
    });
  });
}
