import { afterAll, describe, expect, it } from "vitest";
import { createProviderRegistry, isProviderProtocol, PROVIDER_PROTOCOLS } from "../../src/providers/registry.js";
import { startFakeAnthropic, startFakeGemini, startFakeOpenAI, type FakeUpstream } from "../support/fake-upstreams/index.js";

describe("provider registry", () => {
  const registry = createProviderRegistry();
  const fakes: FakeUpstream[] = [];
  afterAll(async () => {
    await registry.close();
    await Promise.all(fakes.map((fake) => fake.close()));
  });

  it("maps every protocol to its adapter and validates names", () => {
    for (const protocol of PROVIDER_PROTOCOLS) expect(registry.get(protocol).protocol).toBe(protocol);
    expect(isProviderProtocol("anthropic")).toBe(true);
    expect(isProviderProtocol("cohere")).toBe(false);
  });

  it("serves each protocol's upstream through one shared pool", async () => {
    const [openai, anthropic, gemini] = await Promise.all([startFakeOpenAI(), startFakeAnthropic(), startFakeGemini()]);
    fakes.push(openai!, anthropic!, gemini!);
    const timeouts = { connectMs: 1000, firstByteMs: 2000, idleMs: 2000 };
    const request = { model: "m-1", messages: [{ role: "user" as const, content: "hi" }] };
    const answers = await Promise.all([
      registry.get("openai").complete(request, { apiKey: "k", baseUrl: `${openai!.url}/v1`, timeouts }),
      registry.get("anthropic").complete(request, { apiKey: "k", baseUrl: anthropic!.url, timeouts }),
      registry.get("gemini").complete(request, { apiKey: "k", baseUrl: gemini!.url, timeouts }),
    ]);
    expect(answers.map((answer) => answer.message.content)).toEqual([
      "Hello from the fake upstream.",
      "Hello from the fake upstream.",
      "Hello from the fake upstream.",
    ]);
    expect(openai!.lastRequest().url).toBe("/v1/chat/completions");
    expect(anthropic!.lastRequest().url).toBe("/v1/messages");
    expect(gemini!.lastRequest().url).toBe("/v1beta/models/m-1:generateContent");
  });
});
