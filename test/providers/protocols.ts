/**
 * Each protocol under conformance test: its adapter, its fake upstream, and how to read facts
 * back out of the request the fake received (so one assertion checks every translation).
 */
import type { ProviderAdapter } from "../../src/providers/spec.js";
import { createOpenAICompatibleAdapter } from "../../src/providers/openai-compatible/adapter.js";
import type { UpstreamHttp } from "../../src/providers/shared/upstream-http.js";
import type { FakeUpstream, RecordedRequest } from "../support/fake-upstreams/index.js";
import { startFakeAnthropic, startFakeGemini, startFakeOpenAI } from "../support/fake-upstreams/index.js";
import { createGeminiAdapter } from "../../src/providers/gemini/adapter.js";
import { FAKE_SIGNATURE } from "../support/fake-upstreams/gemini.js";
import { createAnthropicAdapter } from "../../src/providers/anthropic/adapter.js";

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
  /** Whether the protocol reports reasoning tokens separately. */
  reportsReasoningTokens: boolean;
  /** Whether usage is part of every answer (so it can never be missing). */
  alwaysReportsUsage: boolean;
  /** Whether tool results are matched by call id (else by function name). */
  toolResultsById: boolean;
  /** Whether messages carry `name` as a field (else it is prepended to their text). */
  namesAsField: boolean;
  /** Whether the protocol has a field for the end-user id. */
  sendsEndUser: boolean;
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
    /** `name` fields on the messages sent (protocols without the field: none). */
    names(request: RecordedRequest): string[];
    /** The end-user id the upstream was given. */
    endUser(request: RecordedRequest): string | undefined;
    /** The conversation's last turn (role normalized to user/assistant) and its text. */
    lastTurn(request: RecordedRequest): { role: string; text: string };
    /** Whether a JSON answer was asked for, and with which schema. */
    jsonOutput(request: RecordedRequest): { json: boolean; schema?: unknown };
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
  reportsReasoningTokens: true,
  alwaysReportsUsage: false,
  toolResultsById: true,
  namesAsField: true,
  sendsEndUser: true,
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
    names: (r) => (r.body as Json).messages.filter((x: Json) => x.name !== undefined).map((x: Json) => x.name),
    endUser: (r) => (r.body as Json).user,
    lastTurn: (r) => {
      const last = (r.body as Json).messages.at(-1);
      return { role: last.role, text: textOf(last.content) };
    },
    jsonOutput: (r) => {
      const format = (r.body as Json).response_format;
      return { json: format?.type === "json_object" || format?.type === "json_schema", schema: format?.json_schema?.schema };
    },
  },
};

const blocksOf = (content: Json): Json[] => (typeof content === "string" ? [{ type: "text", text: content }] : content);

export const anthropicProtocol: ProtocolUnderTest = {
  name: "anthropic",
  start: () => startFakeAnthropic(),
  adapter: (http) => createAnthropicAdapter(http),
  baseUrl: (fake) => fake.url,
  reportsCacheWrite: true,
  reportsReasoningTokens: false,
  alwaysReportsUsage: true,
  toolResultsById: true,
  namesAsField: false,
  sendsEndUser: true,
  read: {
    apiKey: (r) => (r.headers["anthropic-version"] === "2023-06-01" ? (r.headers["x-api-key"] as string) : undefined),
    model: (r) => (r.body as Json).model,
    isStream: (r) => (r.body as Json).stream === true && r.url === "/v1/messages",
    system: (r) => (r.body as Json).system,
    userTexts: (r) =>
      (r.body as Json).messages
        .filter((m: Json) => m.role === "user")
        .map((m: Json) => blocksOf(m.content).filter((b: Json) => b.type === "text").map((b: Json) => b.text).join(""))
        .filter((t: string) => t !== ""),
    images: (r) =>
      (r.body as Json).messages.flatMap((m: Json) =>
        blocksOf(m.content)
          .filter((b: Json) => b.type === "image")
          .map((b: Json) => (b.source.type === "base64" ? `${b.source.media_type};${b.source.data}` : b.source.url)),
      ),
    toolNames: (r) => ((r.body as Json).tools ?? []).map((t: Json) => t.input_schema && t.name),
    assistantToolCalls: (r) =>
      (r.body as Json).messages
        .filter((m: Json) => m.role === "assistant")
        .flatMap((m: Json) => blocksOf(m.content).filter((b: Json) => b.type === "tool_use").map((b: Json) => ({ ref: b.id, name: b.name, args: b.input }))),
    toolResults: (r) =>
      (r.body as Json).messages
        .filter((m: Json) => m.role === "user")
        .flatMap((m: Json) => blocksOf(m.content).filter((b: Json) => b.type === "tool_result").map((b: Json) => ({ ref: b.tool_use_id, content: b.content }))),
    maxTokens: (r) => (r.body as Json).max_tokens,
    temperature: (r) => (r.body as Json).temperature,
    stop: (r) => (r.body as Json).stop_sequences,
    names: (r) => (r.body as Json).messages.filter((m: Json) => m.name !== undefined).map((m: Json) => m.name),
    endUser: (r) => (r.body as Json).metadata?.user_id,
    lastTurn: (r) => {
      const last = (r.body as Json).messages.at(-1);
      return { role: last.role, text: textOf(blocksOf(last.content)) };
    },
    jsonOutput: (r) => {
      const body = r.body as Json;
      if (body.output_config?.format?.type === "json_schema") return { json: true, schema: body.output_config.format.schema };
      // the forced-tool technique: the only tool, chosen by name, whose input is the answer
      const forced = body.tool_choice?.type === "tool" && body.tools?.length === 1 ? body.tools[0] : undefined;
      if (!forced) return { json: false };
      const schema = forced.input_schema;
      return { json: true, schema: Object.keys(schema).length === 1 && schema.type === "object" ? undefined : schema };
    },
  },
};

const gemini = (r: RecordedRequest): Json => r.body as Json;

export const geminiProtocol: ProtocolUnderTest = {
  name: "gemini",
  start: () => startFakeGemini(),
  adapter: (http) => createGeminiAdapter(http),
  baseUrl: (fake) => fake.url,
  reportsCacheWrite: false,
  reportsReasoningTokens: true,
  alwaysReportsUsage: false,
  toolResultsById: false,
  namesAsField: false,
  sendsEndUser: false,
  read: {
    apiKey: (r) => r.headers["x-goog-api-key"] as string | undefined,
    model: (r) => decodeURIComponent(/^\/v1beta\/models\/([^:]+):/.exec(r.url)?.[1] ?? ""),
    isStream: (r) => r.url.endsWith(":streamGenerateContent?alt=sse"),
    system: (r) => gemini(r).systemInstruction?.parts.map((p: Json) => p.text).join(""),
    userTexts: (r) =>
      gemini(r)
        .contents.filter((c: Json) => c.role === "user")
        .map((c: Json) => c.parts.filter((p: Json) => typeof p.text === "string").map((p: Json) => p.text).join(""))
        .filter((t: string) => t !== ""),
    images: (r) =>
      gemini(r).contents.flatMap((c: Json) =>
        c.parts
          .filter((p: Json) => p.inlineData || p.fileData)
          .map((p: Json) => (p.inlineData ? `${p.inlineData.mimeType};${p.inlineData.data}` : p.fileData.fileUri)),
      ),
    toolNames: (r) => (gemini(r).tools ?? []).flatMap((t: Json) => t.functionDeclarations.map((f: Json) => f.name)),
    assistantToolCalls: (r) =>
      gemini(r)
        .contents.filter((c: Json) => c.role === "model")
        .flatMap((c: Json) =>
          c.parts
            .filter((p: Json) => p.functionCall)
            // A replayed call must carry the signature the fake issued, or Gemini 3 rejects the turn.
            .map((p: Json) => ({ ref: p.functionCall.name, name: p.functionCall.name, args: p.functionCall.args, signed: p.thoughtSignature === FAKE_SIGNATURE }))
            .filter((call: Json) => call.signed)
            .map(({ ref, name, args }: Json) => ({ ref, name, args })),
        ),
    toolResults: (r) =>
      gemini(r)
        .contents.filter((c: Json) => c.role === "user")
        .flatMap((c: Json) =>
          c.parts.filter((p: Json) => p.functionResponse).map((p: Json) => ({ ref: p.functionResponse.name, content: JSON.stringify(p.functionResponse.response) })),
        ),
    maxTokens: (r) => gemini(r).generationConfig?.maxOutputTokens,
    temperature: (r) => gemini(r).generationConfig?.temperature,
    stop: (r) => gemini(r).generationConfig?.stopSequences,
    names: (r) => gemini(r).contents.filter((c: Json) => c.name !== undefined).map((c: Json) => c.name),
    endUser: () => undefined,
    lastTurn: (r) => {
      const last = gemini(r).contents.at(-1);
      return { role: last.role === "model" ? "assistant" : last.role, text: last.parts.map((p: Json) => p.text ?? "").join("") };
    },
    jsonOutput: (r) => {
      const config = gemini(r).generationConfig ?? {};
      return { json: config.responseMimeType === "application/json", schema: config.responseJsonSchema };
    },
  },
};

/** Every protocol the conformance suite runs. */
export const protocols: ProtocolUnderTest[] = [openAIProtocol, anthropicProtocol, geminiProtocol];
