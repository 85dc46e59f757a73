/**
 * Each protocol under conformance test: its adapter, its fake upstream, and how to read facts
 * back out of the request the fake received (so one assertion checks every translation).
 */
import type { ProviderAdapter } from "../../src/providers/spec.js";
import { createOpenAICompatibleAdapter } from "../../src/providers/openai-compatible/adapter.js";
import type { UpstreamHttp } from "../../src/providers/shared/upstream-http.js";
import type { FakeUpstream, RecordedRequest } from "../support/fake-upstreams/index.js";
import { startFakeOpenAI } from "../support/fake-upstreams/index.js";

/** A tool result as the upstream received it. */
export interface SeenToolResult {
  /** The call it answers (id, or function name for protocols keyed by name). */
  ref: string;
  content: string;
}

/** A protocol's adapter, fake and request readers. */
export interface ProtocolUnderTest {
  name: string;
  start(): Promise<FakeUpstream>;
  adapter(http: UpstreamHttp): ProviderAdapter;
  baseUrl(fake: FakeUpstream): string;
  /** Whether the protocol reports cache-write tokens. */
  reportsCacheWrite: boolean;
  /** Whether tool results are matched by call id (else by function name). */
  toolResultsById: boolean;
  read: {
    apiKey(request: RecordedRequest): string | undefined;
    model(request: RecordedRequest): string;
    isStream(request: RecordedRequest): boolean;
    system(request: RecordedRequest): string | undefined;
    userTexts(request: RecordedRequest): string[];
    images(request: RecordedRequest): string[];
    toolNames(request: RecordedRequest): string[];
    assistantToolCalls(request: RecordedRequest): { ref: string; name: string; args: unknown }[];
    toolResults(request: RecordedRequest): SeenToolResult[];
    maxTokens(request: RecordedRequest): number | undefined;
    temperature(request: RecordedRequest): number | undefined;
    stop(request: RecordedRequest): string[] | undefined;
  };
}

type Json = any;

const textOf = (content: Json): string =>
  typeof content === "string" ? content : (content ?? []).filter((p: Json) => p.type === "text").map((p: Json) => p.text).join("");

export const openAIProtocol: ProtocolUnderTest = {
  name: "openai-compatible",
  start: () => startFakeOpenAI(),
  adapter: (http) => createOpenAICompatibleAdapter(http),
  baseUrl: (fake) => `${fake.url}/v1`,
  reportsCacheWrite: false,
  toolResultsById: true,
  read: {
    apiKey: (r) => String(r.headers.authorization ?? "").replace(/^Bearer /, "") || undefined,
    model: (r) => (r.body as Json).model,
    isStream: (r) => (r.body as Json).stream === true && r.url === "/v1/chat/completions",
    system: (r) => {
      const m = (r.body as Json).messages.find((x: Json) => x.role === "system" || x.role === "developer");
      return m ? textOf(m.content) : undefined;
    },
    userTexts: (r) => (r.body as Json).messages.filter((x: Json) => x.role === "user").map((x: Json) => textOf(x.content)),
    images: (r) =>
      (r.body as Json).messages
        .filter((x: Json) => x.role === "user" && Array.isArray(x.content))
        .flatMap((x: Json) => x.content.filter((p: Json) => p.type === "image_url").map((p: Json) => p.image_url.url)),
    toolNames: (r) => ((r.body as Json).tools ?? []).map((t: Json) => t.function.name),
    assistantToolCalls: (r) =>
      (r.body as Json).messages
        .filter((x: Json) => x.role === "assistant")
        .flatMap((x: Json) => (x.tool_calls ?? []).map((c: Json) => ({ ref: c.id, name: c.function.name, args: JSON.parse(c.function.arguments) }))),
    toolResults: (r) =>
      (r.body as Json).messages.filter((x: Json) => x.role === "tool").map((x: Json) => ({ ref: x.tool_call_id, content: textOf(x.content) })),
    maxTokens: (r) => (r.body as Json).max_tokens ?? (r.body as Json).max_completion_tokens,
    temperature: (r) => (r.body as Json).temperature,
    stop: (r) => (r.body as Json).stop,
  },
};

/** Every protocol the conformance suite runs. */
export const protocols: ProtocolUnderTest[] = [openAIProtocol];
