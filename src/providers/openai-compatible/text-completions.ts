/**
 * A normalized request that carries a raw prompt, sent to an endpoint that continues raw text
 * (`AdapterContext.takesRawPrompt`) as OpenAI's legacy Completions
 * (https://platform.openai.com/docs/api-reference/completions/create): `prompt` as written (no
 * chat template), `suffix`, `logprobs` as the number of alternatives. The answer's `text` becomes
 * the message content, and its log probabilities (`tokens`, `token_logprobs`, `top_logprobs`
 * maps) are read into the Chat Completions shape every other answer has.
 */
import { UpstreamError, type AdapterContext, type ChatRequest, type ChatResponse, type ChunkDelta } from "../spec.js";
import { upstreamEndUser } from "../shared/end-user.js";
import { accepts, asArray, asRecord, asString } from "../shared/json.js";
import type { SseEvent } from "../shared/sse-parser.js";
import type { StreamMeta } from "../shared/exchange.js";
import { normalizeFinishReason, readUsage } from "./response.js";
import { SAMPLING_FIELDS } from "../../domain/sampling-fields.js";
import { translateOpenAIStreamOf, type ChoiceReader } from "./stream.js";


/** Whether a request goes to the endpoint's `/completions` rather than `/chat/completions`. */
export function sendsRawPrompt(request: ChatRequest, context: AdapterContext): boolean {
  return request.rawPrompt !== undefined && context.takesRawPrompt === true;
}

/** The JSON body for `POST {base}/completions`. */
export function toTextCompletionBody(request: ChatRequest, context: AdapterContext, stream: boolean): Record<string, unknown> {
  const supported = context.supportedParameters;
  const prompt = request.rawPrompt;
  if (!prompt) throw new Error("toTextCompletionBody needs a request with a raw prompt");
  const body: Record<string, unknown> = { model: request.model, prompt: prompt.text };
  if (prompt.suffix !== undefined) body.suffix = prompt.suffix;
  for (const field of SAMPLING_FIELDS) {
    const value = request[field];
    if (value !== undefined && accepts(supported, field)) body[field] = value;
  }
  // the legacy endpoint's `logprobs` is the number of alternatives per token (0 = the chosen token only)
  if (request.logprobs === true && accepts(supported, "logprobs")) body.logprobs = request.top_logprobs ?? 0;
  const endUser = upstreamEndUser(request);
  if (endUser !== undefined && accepts(supported, "user")) body.user = endUser;
  if (request.max_tokens !== undefined) body.max_tokens = request.max_tokens;
  if (stream) {
    body.stream = true;
    body.stream_options = { include_usage: true };
  }
  return body;
}

/** Parses a `text_completion` body; fails as invalid_response when it is not one. */
export function fromTextCompletionResponse(json: unknown, requestedModel: string): ChatResponse {
  const body = asRecord(json);
  const choice = asRecord(asArray(body?.choices)[0]);
  const text = asString(choice?.text);
  if (!body || !choice || text === undefined) {
    throw new UpstreamError("The provider's response has no choices[0].text", { kind: "invalid_response", rawBody: JSON.stringify(json) });
  }
  const native = asString(choice.finish_reason) ?? null;
  const logprobs = chatLogprobs(choice.logprobs);
  return {
    upstreamId: asString(body.id) ?? "",
    model: asString(body.model) ?? requestedModel,
    message: { role: "assistant", content: text, reasoning: null, refusal: null },
    ...(logprobs ? { logprobs } : {}),
    finishReason: native === null ? "stop" : normalizeFinishReason(native),
    nativeFinishReason: native,
    usage: readUsage(body.usage),
    usageReported: asRecord(body.usage) !== undefined,
    systemFingerprint: asString(body.system_fingerprint) ?? null,
  };
}

/** A `text_completion` choice: its `text` is the content delta. */
const textChoice: ChoiceReader = (choice) => {
  const text = asString(choice.text);
  const delta: ChunkDelta = text !== undefined && text !== "" ? { content: text } : {};
  return { delta, logprobs: chatLogprobs(choice.logprobs) };
};

/** Translates one legacy Completions stream (same framing as chat: usage chunk, `data: [DONE]`). */
export function translateTextCompletionStream(events: AsyncIterable<SseEvent>, meta: StreamMeta) {
  return translateOpenAIStreamOf(events, meta, textChoice);
}

/**
 * The legacy log probabilities (parallel lists `tokens`, `token_logprobs`, `top_logprobs` maps)
 * in Chat Completions' shape (`content: [{token, logprob, bytes, top_logprobs: [{token, logprob, bytes}]}]`).
 */
export function chatLogprobs(value: unknown): Record<string, unknown> | undefined {
  const legacy = asRecord(value);
  if (!legacy) return undefined;
  const tokens = asArray(legacy.tokens);
  const logprobs = asArray(legacy.token_logprobs);
  const alternatives = asArray(legacy.top_logprobs);
  const entry = (token: string, logprob: unknown) => ({
    token,
    logprob: typeof logprob === "number" ? logprob : null,
    bytes: [...Buffer.from(token, "utf8")],
  });
  return {
    content: tokens.map((token, index) => ({
      ...entry(String(token), logprobs[index]),
      top_logprobs: Object.entries(asRecord(alternatives[index]) ?? {}).map(([alternative, logprob]) => entry(alternative, logprob)),
    })),
    refusal: null,
  };
}
