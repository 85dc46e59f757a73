/** The OpenAI-compatible adapter sends each request to its own endpoint's URL, joined once per base URL. */
import { describe, expect, it } from "vitest";
import { createOpenAICompatibleAdapter } from "../../src/providers/openai-compatible/adapter.js";
import { joinUrl } from "../../src/providers/shared/json.js";
import type { UpstreamHttp } from "../../src/providers/shared/upstream-http.js";
import type { AdapterContext } from "../../src/providers/spec.js";

const ANSWER = JSON.stringify({ id: "x", model: "m", choices: [{ message: { role: "assistant", content: "hi" }, finish_reason: "stop" }] });

describe("the OpenAI-compatible adapter's URLs", () => {
  it("go to each base URL's chat endpoint, however requests to several bases interleave", async () => {
    const sent: string[] = [];
    const http = {
      postJsonWhole: (_attempt: unknown, url: string) => {
        sent.push(url);
        return Promise.resolve({ status: 200, headers: {}, text: ANSWER });
      },
    } as unknown as UpstreamHttp;
    const adapter = createOpenAICompatibleAdapter(http);
    const bases = ["http://a.test/v1", "http://b.test/v1/", "http://a.test/v1//", "http://c.test", "http://a.test/v1"];
    const context = (baseUrl: string): AdapterContext => ({ apiKey: "k", baseUrl, timeouts: { connectMs: 1_000, firstByteMs: 1_000, idleMs: 1_000 } });
    for (const round of [1, 2]) {
      for (const baseUrl of bases) {
        const answer = await adapter.complete({ model: "m", messages: [{ role: "user", content: `round ${round}` }] }, context(baseUrl));
        expect(answer.message.content).toBe("hi");
      }
    }
    const expected = bases.map((base) => joinUrl(base, "chat/completions"));
    expect(sent).toEqual([...expected, ...expected]);
    expect(expected).toEqual(["http://a.test/v1/chat/completions", "http://b.test/v1/chat/completions", "http://a.test/v1/chat/completions", "http://c.test/chat/completions", "http://a.test/v1/chat/completions"]);
  });
});
