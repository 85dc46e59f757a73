/**
 * Fake OpenAI Chat Completions upstream (`POST …/chat/completions`, and `POST …/embeddings`), shapes as recorded from
 * api.openai.com: `chatcmpl-` ids, `chat.completion(.chunk)` objects, a role-only first chunk,
 * tool-call deltas (id and name first, arguments in pieces), a finish chunk, a usage chunk with
 * `choices: []` (stream_options.include_usage) and `data: [DONE]`; errors as
 * `{"error":{"message","type","param","code"}}`. The legacy `POST …/completions` answers in its
 * own shapes (openai-text.ts).
 */
import { randomBytes } from "node:crypto";
import { DEFAULT_USAGE, finishOf, pieces, textOf, type FakeBehaviour, type RecordedRequest } from "./behaviour.js";
import { isTextCompletionRequest, renderTextCompletion } from "./openai-text.js";
import { fakeEmbeddingTokens, fakeVector } from "./embeddings.js";
import { retryHeaders, startFakeServer, type FakeOptions, type FakeUpstream, type ProtocolRenderer, type Rendered } from "./server.js";

const id = (prefix: string): string => `${prefix}${randomBytes(12).toString("base64url")}`;

function requestedModel(request: RecordedRequest): string {
  const model = (request.body as { model?: unknown } | undefined)?.model;
  return typeof model === "string" ? model : "gpt-4o-mini";
}

function usageOf(behaviour: FakeBehaviour): Record<string, unknown> {
  if (behaviour.rawUsage) return behaviour.rawUsage;
  const usage = behaviour.usage ?? DEFAULT_USAGE;
  return {
    prompt_tokens: usage.prompt,
    completion_tokens: usage.completion,
    total_tokens: usage.prompt + usage.completion,
    prompt_tokens_details: { cached_tokens: usage.cached ?? 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: usage.reasoning ?? 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

/** Log probabilities for `tokens` when the request asked for them (`logprobs: true`, `top_logprobs: n`), as api.openai.com shapes them. */
function logprobsOf(request: RecordedRequest, tokens: string[]): Record<string, unknown> | null {
  const body = request.body as { logprobs?: unknown; top_logprobs?: unknown } | undefined;
  if (body?.logprobs !== true) return null;
  const alternatives = typeof body.top_logprobs === "number" ? body.top_logprobs : 0;
  const entry = (token: string, logprob: number) => ({ token, logprob, bytes: [...Buffer.from(token, "utf8")] });
  return {
    content: tokens.map((token, index) => ({
      ...entry(token, -0.01 * (index + 1)),
      top_logprobs: Array.from({ length: alternatives }, (_, rank) => entry(rank === 0 ? token : `${token}~${rank}`, -0.01 * (index + 1) - rank)),
    })),
    refusal: null,
  };
}

function toolCallsOf(behaviour: FakeBehaviour): { id: string; name: string; args: string }[] {
  return (behaviour.toolCalls ?? []).map((call) => ({ id: call.id ?? id("call_"), name: call.name, args: JSON.stringify(call.arguments) }));
}

const TYPES: Record<number, [string, string | null]> = {
  400: ["invalid_request_error", null],
  401: ["invalid_request_error", "invalid_api_key"],
  403: ["invalid_request_error", "unsupported_country_region_territory"],
  404: ["invalid_request_error", "model_not_found"],
  429: ["requests", "rate_limit_exceeded"],
};

/** How OpenAI looks on the wire. */
export const openAIRenderer: ProtocolRenderer = {
  frameEnd: "\n\n",
  isStream: (request) => (request.body as { stream?: unknown } | undefined)?.stream === true,
  renderError(error) {
    const [type, code] = TYPES[error.status] ?? ["server_error", null];
    return {
      kind: "json",
      status: error.status,
      headers: retryHeaders(error),
      body: JSON.stringify({ error: { message: error.message ?? `Fake upstream error ${error.status}`, type, param: null, code } }),
    };
  },
  streamErrorFrame: () =>
    `data: ${JSON.stringify({ error: { message: "The server had an error while processing your request.", type: "server_error", param: null, code: null } })}\n\n`,
  render(behaviour, request, stream): Rendered {
    if (isTextCompletionRequest(request)) return renderTextCompletion(behaviour, request, stream);
    if (request.url.endsWith("/embeddings")) return renderEmbeddings(behaviour, request);
    const model = behaviour.model ?? requestedModel(request);
    const completionId = id("chatcmpl-");
    const created = Math.floor(Date.now() / 1000);
    const calls = toolCallsOf(behaviour);
    const text = textOf(behaviour);
    const finish = finishOf(behaviour);
    if (!stream) {
      const message: Record<string, unknown> = { role: "assistant", content: text === "" && calls.length > 0 ? null : text, refusal: null, annotations: [] };
      if (behaviour.reasoning !== undefined) message.reasoning = behaviour.reasoning;
      if (behaviour.reasoningDetails !== undefined) message.reasoning_details = behaviour.reasoningDetails;
      if (calls.length > 0) message.tool_calls = calls.map((call) => ({ id: call.id, type: "function", function: { name: call.name, arguments: call.args } }));
      return {
        kind: "json",
        status: 200,
        body: JSON.stringify({
          id: completionId,
          object: "chat.completion",
          created,
          model,
          choices: [{ index: 0, message, logprobs: logprobsOf(request, pieces(text)), finish_reason: finish }],
          ...(behaviour.omitUsage ? {} : { usage: usageOf(behaviour) }),
          service_tier: "default",
          system_fingerprint: "fp_fake0001",
        }),
      };
    }
    const chunk = (choices: unknown[], usage: unknown = null): string =>
      `data: ${JSON.stringify({ id: completionId, object: "chat.completion.chunk", created, model, service_tier: "default", system_fingerprint: "fp_fake0001", choices, usage })}\n\n`;
    const delta = (value: Record<string, unknown>, finishReason: string | null = null): string =>
      chunk([{ index: 0, delta: value, logprobs: null, finish_reason: finishReason }]);
    const frames = [delta({ role: "assistant", content: "", refusal: null })];
    if (behaviour.reasoning !== undefined) for (const piece of pieces(behaviour.reasoning)) frames.push(delta({ reasoning: piece }));
    if (behaviour.reasoningDetails !== undefined) frames.push(delta({ reasoning_details: behaviour.reasoningDetails }));
    for (const piece of pieces(text)) {
      const logprobs = logprobsOf(request, [piece]);
      frames.push(logprobs ? chunk([{ index: 0, delta: { content: piece }, logprobs, finish_reason: null }]) : delta({ content: piece }));
    }
    calls.forEach((call, index) => {
      frames.push(delta({ tool_calls: [{ index, id: call.id, type: "function", function: { name: call.name, arguments: "" } }] }));
      const half = Math.ceil(call.args.length / 2);
      frames.push(delta({ tool_calls: [{ index, function: { arguments: call.args.slice(0, half) } }] }));
      frames.push(delta({ tool_calls: [{ index, function: { arguments: call.args.slice(half) } }] }));
    });
    frames.push(delta({}, finish));
    if (!behaviour.omitUsage) frames.push(chunk([], usageOf(behaviour)));
    frames.push("data: [DONE]\n\n");
    return { kind: "sse", frames };
  },
};

/**
 * `POST /v1/embeddings` as api.openai.com answers it: `object: "list"`, `data[]` of
 * `{object: "embedding", index, embedding}` (floats, or base64 float32 when asked), the model and
 * `usage: {prompt_tokens, total_tokens}`.
 */
function renderEmbeddings(behaviour: FakeBehaviour, request: RecordedRequest): Rendered {
  const body = (request.body ?? {}) as { input?: unknown; dimensions?: unknown; encoding_format?: unknown };
  const raw = body.input;
  const inputs: (string | number[])[] =
    typeof raw === "string" ? [raw] : Array.isArray(raw) && raw.every((entry) => typeof entry === "number") ? [raw as number[]] : ((raw ?? []) as (string | number[])[]);
  const dimensions = typeof body.dimensions === "number" ? body.dimensions : undefined;
  const data = inputs.map((input, index) => {
    const vector = fakeVector(input, dimensions);
    return { object: "embedding", index, embedding: body.encoding_format === "base64" ? Buffer.from(new Float32Array(vector).buffer).toString("base64") : vector };
  });
  const prompt = behaviour.usage?.prompt ?? fakeEmbeddingTokens(inputs);
  return {
    kind: "json",
    status: 200,
    body: JSON.stringify({
      object: "list",
      data,
      model: behaviour.model ?? requestedModel(request),
      ...(behaviour.omitUsage ? {} : { usage: behaviour.rawUsage ?? { prompt_tokens: prompt, total_tokens: prompt } }),
    }),
  };
}

/** Starts a fake OpenAI-compatible upstream; point the adapter's baseUrl at `${url}/v1`. */
export function startFakeOpenAI(options?: FakeOptions): Promise<FakeUpstream> {
  return startFakeServer(openAIRenderer, options);
}
