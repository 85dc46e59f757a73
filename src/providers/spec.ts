/**
 * The contract between the gateway and every upstream wire protocol (DESIGN.md §4).
 *
 * The normalized request is OpenAI's Chat Completions body (what clients send), with the
 * upstream model id in `model`; each adapter translates it to its protocol and translates the
 * answer back into the normalized response or a stream of normalized chunks. Providers import
 * only `domain`; they never touch db, ledger or http.
 */
import type { CancelSignal } from "../domain/cancellation.js";
import type { Protocol } from "../domain/protocols.js";

// ---------------------------------------------------------------------------------------------
// Request

/**
 * A prompt-cache breakpoint on a content part (Anthropic's `cache_control`, which OpenRouter
 * passes through): the prompt up to and including this part may be cached.
 */
export interface CacheControl {
  type: "ephemeral";
  ttl?: "5m" | "1h";
}

/** A text content part. */
export interface TextPart {
  type: "text";
  text: string;
  cache_control?: CacheControl;
}

/** An image content part: an https URL or a `data:<mime>;base64,<data>` URL. */
export interface ImagePart {
  type: "image_url";
  image_url: { url: string; detail?: "auto" | "low" | "high" };
  cache_control?: CacheControl;
}

/**
 * A document (OpenRouter's `file` part, e.g. a PDF): `file_data` is a `data:<mime>;base64,` URL
 * or an https URL; `file_id` names a file uploaded to the provider beforehand.
 */
export interface FilePart {
  type: "file";
  file: { filename?: string; file_data?: string; file_id?: string };
  cache_control?: CacheControl;
}

/** Audio input: base64 `data` in `format` (wav, mp3, flac, …). */
export interface AudioPart {
  type: "input_audio";
  input_audio: { data: string; format: string };
  cache_control?: CacheControl;
}

/** A content part of a user message. */
export type ContentPart = TextPart | ImagePart | FilePart | AudioPart;

/**
 * One piece of a model's reasoning, in OpenRouter's `reasoning_details` shapes. Clients pass
 * them back unmodified on the assistant turn, so a provider's signed thinking (Anthropic's
 * `signature`, encrypted or redacted reasoning) survives a multi-turn conversation.
 */
export type ReasoningDetail =
  | { type: "reasoning.text"; text?: string | null; signature?: string | null; format?: string | null; index?: number; id?: string | null }
  | { type: "reasoning.summary"; summary: string; format?: string | null; index?: number; id?: string | null }
  | { type: "reasoning.encrypted"; data: string; format?: string | null; index?: number; id?: string | null };

/** A function call made by the assistant; `arguments` is a JSON string, as on OpenAI's wire. */
export interface ToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

/** System (or OpenAI's newer "developer") instructions. */
export interface SystemMessage {
  role: "system" | "developer";
  content: string | TextPart[];
  name?: string;
}

/** A user turn: text and images. */
export interface UserMessage {
  role: "user";
  content: string | ContentPart[];
  name?: string;
}

/**
 * A tool call passed back on an assistant turn. `cache_control` (a farebox extension, Anthropic's
 * breakpoint on a `tool_use` block) reaches Claude only; other protocols have no such field.
 */
export interface AssistantToolCall extends ToolCall {
  cache_control?: CacheControl;
}

/** An assistant turn, possibly with tool calls (content is then often null). */
export interface AssistantMessage {
  role: "assistant";
  content?: string | TextPart[] | null;
  name?: string;
  tool_calls?: AssistantToolCall[];
  reasoning?: string | null;
  /** The reasoning as the model produced it, signatures included (passed back from a previous answer). */
  reasoning_details?: ReasoningDetail[];
  refusal?: string | null;
}

/** The result of one tool call, answering `tool_call_id`. */
export interface ToolMessage {
  role: "tool";
  content: string | TextPart[];
  tool_call_id: string;
  /** Function name; Gemini's functionResponse needs it, adapters recover it from history if absent. */
  name?: string;
  /**
   * The tool failed (a farebox extension, Anthropic's `tool_result.is_error`): Claude is told so;
   * other protocols have no such field and get the content as it is.
   */
  is_error?: boolean;
}

/** One message of the conversation. */
export type ChatMessage = SystemMessage | UserMessage | AssistantMessage | ToolMessage;

/** A function the model may call; `parameters` is a JSON Schema object. */
export interface ToolDefinition {
  type: "function";
  function: {
    name: string;
    description?: string;
    parameters?: Record<string, unknown>;
    strict?: boolean;
  };
  /** A prompt-cache breakpoint after the tool definitions up to this one (OpenRouter's shape; Claude's). */
  cache_control?: CacheControl;
}

/** OpenAI's tool_choice. */
export type ToolChoice = "none" | "auto" | "required" | { type: "function"; function: { name: string } };

/** OpenAI's response_format. */
export type ResponseFormat =
  | { type: "text" }
  | { type: "json_object" }
  | {
      type: "json_schema";
      json_schema: { name: string; description?: string; schema?: Record<string, unknown>; strict?: boolean };
    };

/** OpenRouter's unified reasoning control. */
export interface ReasoningConfig {
  effort?: "max" | "xhigh" | "high" | "medium" | "low" | "minimal" | "none";
  max_tokens?: number;
  exclude?: boolean;
  enabled?: boolean;
}

/** OpenAI's predicted output (`prediction`), which speeds up edits of a known text. */
export interface Prediction {
  type: "content";
  content: string | TextPart[];
}

/**
 * A prompt as raw text, to be continued as written (no chat template), with an optional text
 * that follows the insertion point. An endpoint that takes raw text (OpenAI's legacy
 * `POST /completions`, see `AdapterContext.takesRawPrompt`) receives it as is; every other
 * endpoint reads the same text from `messages`, where it is one user turn.
 */
export interface RawPrompt {
  text: string;
  /** Text after the completion (OpenAI's `suffix`); only raw-text endpoints can honour it. */
  suffix?: string;
}

/**
 * The normalized request. `model` is the upstream's own model id (already resolved by routing).
 * `max_tokens` already has `max_completion_tokens` folded in; `stop` is always an array.
 * `stream` is not here: the caller chooses `complete` or `stream`.
 */
export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  tools?: ToolDefinition[];
  tool_choice?: ToolChoice;
  parallel_tool_calls?: boolean;
  response_format?: ResponseFormat;
  temperature?: number;
  top_p?: number;
  top_k?: number;
  min_p?: number;
  top_a?: number;
  frequency_penalty?: number;
  presence_penalty?: number;
  repetition_penalty?: number;
  stop?: string[];
  seed?: number;
  max_tokens?: number;
  logit_bias?: Record<string, number>;
  logprobs?: boolean;
  top_logprobs?: number;
  /** The caller's end-user id, raw; adapters send only its keyed hash (see shared/end-user.ts). */
  user?: string;
  reasoning?: ReasoningConfig;
  /** OpenAI's predicted output. */
  prediction?: Prediction;
  /** Processing tier (OpenAI: auto, default, flex, priority, scale; Anthropic: auto). */
  service_tier?: string;
  /** Output modalities ("text", "image", "audio"). */
  modalities?: string[];
  /** How long the answer should be (OpenAI's `verbosity`: low, medium, high). */
  verbosity?: string;
  /** OpenAI's prompt-cache routing key (conversations sharing a prefix share it). */
  prompt_cache_key?: string;
  /** The prompt as raw text, when the client sent one instead of messages (`messages` then holds it as one user turn). */
  rawPrompt?: RawPrompt;
  /**
   * The farebox account paying for the request. Never sent upstream: it keys the hash of `user`,
   * so one account's "alice" is a different upstream id from another account's "alice".
   */
  accountId?: string;
}

// ---------------------------------------------------------------------------------------------
// Response

/** Finish reasons after normalization (OpenRouter's set); the raw value travels beside it. */
export type FinishReason = "stop" | "length" | "tool_calls" | "content_filter" | "error";

/**
 * Token counts as the upstream reported them, by billing class. Field names match
 * `TokenUsage` in src/domain/charge.ts so a Usage can be priced directly.
 */
export interface Usage {
  /** All prompt tokens, cache reads and writes included (OpenAI's convention). */
  promptTokens: number;
  /** All completion tokens, reasoning included. */
  completionTokens: number;
  /** Prompt tokens read from the provider's cache. */
  cachedPromptTokens: number;
  /** Prompt tokens written to the provider's cache. */
  cacheWritePromptTokens: number;
  /** Completion tokens spent on reasoning (a subset of completionTokens). */
  reasoningTokens: number;
}

/** The assistant's answer. */
export interface ResponseMessage {
  role: "assistant";
  content: string | null;
  tool_calls?: ToolCall[];
  reasoning?: string | null;
  /** The reasoning in OpenRouter's structured form, signatures included, to be passed back next turn. */
  reasoning_details?: ReasoningDetail[];
  refusal?: string | null;
}

/**
 * Log probabilities in OpenAI's `choices[].logprobs` shape (`content` and `refusal` lists of
 * `{token, logprob, bytes, top_logprobs}`), passed through as the upstream gave them.
 */
export type Logprobs = Record<string, unknown>;

/** A complete (non-stream) answer, normalized. */
export interface ChatResponse {
  /** The upstream's own id for this completion (kept as `upstream_id`). */
  upstreamId: string;
  /** The model the upstream says served the request. */
  model: string;
  message: ResponseMessage;
  /** Present when the request asked for `logprobs` and the upstream returned them. */
  logprobs?: Logprobs;
  finishReason: FinishReason;
  /** The upstream's raw finish/stop reason. */
  nativeFinishReason: string | null;
  usage: Usage;
  /**
   * False when the upstream sent no usage at all (counts are then zero and the caller should
   * estimate rather than bill nothing). The adapters always set it; optional only so that
   * responses built elsewhere (tests, caches) need not.
   */
  usageReported?: boolean;
  /** The upstream's backend configuration fingerprint (OpenAI's `system_fingerprint`), passed to the client. */
  systemFingerprint?: string | null;
}

/** A fragment of a tool call in a stream (OpenAI's delta shape: id and name come first). */
export interface ToolCallDelta {
  index: number;
  id?: string;
  type?: "function";
  function?: { name?: string; arguments?: string };
}

/** What one chunk adds to the message (OpenAI's `choices[0].delta`). */
export interface ChunkDelta {
  role?: "assistant";
  content?: string;
  reasoning?: string;
  reasoning_details?: ReasoningDetail[];
  refusal?: string;
  tool_calls?: ToolCallDelta[];
}

/**
 * One normalized stream chunk. A chunk may carry a delta, a finish reason, usage, or several.
 * When the upstream reported usage, the last chunk carries it (exactly once, after the finish);
 * when it reported none, no chunk carries usage and the caller estimates.
 */
export interface StreamChunk {
  delta: ChunkDelta;
  /** Log probabilities of this chunk's tokens, when asked for and returned. */
  logprobs?: Logprobs;
  finishReason: FinishReason | null;
  nativeFinishReason: string | null;
  usage?: Usage;
}

/**
 * An open upstream stream. `stream()` resolves only once the upstream answered 2xx and the first
 * chunk with substance (content, reasoning, refusal, tool call or finish) has arrived, so every
 * failure before that point rejects `stream()` and the router can still fall back. After that,
 * iterating `chunks` may throw UpstreamError (stall, reset, invalid_response, http for an error
 * event, aborted); the stream has then ended.
 */
export interface UpstreamStream {
  upstreamId: string;
  model: string;
  /** `performance.now()` when the request was sent. */
  startedAt: number;
  /** `performance.now()` when the first chunk with substance arrived. */
  firstChunkAt: number;
  /** Chunks in upstream order, first one included; ends after the upstream's end-of-stream. */
  chunks: AsyncIterable<StreamChunk>;
  /** Stops reading and closes the upstream connection (idempotent). */
  close(): void;
}

// ---------------------------------------------------------------------------------------------
// Embeddings

/**
 * The normalized embeddings request (OpenAI's /embeddings body): `model` is the upstream's own
 * id; `input` is a list of texts or a list of token-id arrays, one vector wanted per entry.
 */
export interface EmbeddingRequest {
  model: string;
  input: string[] | number[][];
  /** Length of the vectors wanted (models that can shorten theirs). */
  dimensions?: number;
  /** The input's role for models that embed queries and documents differently (e.g. search_query). */
  input_type?: string;
}

/** The vectors, as float numbers, in input order. */
export interface EmbeddingResponse {
  /** The model the upstream says served the request. */
  model: string;
  vectors: number[][];
  /** Input tokens the upstream reported; undefined when it reported none (the caller estimates). */
  promptTokens: number | undefined;
}

// ---------------------------------------------------------------------------------------------
// Adapter

/** Time limits for one upstream attempt, in milliseconds. */
export interface UpstreamTimeouts {
  /** TCP (and TLS) connect. */
  connectMs: number;
  /**
   * From sending the request (connecting included, so keep it above connectMs) to the first chunk
   * with substance when streaming, or to the response headers when not.
   */
  firstByteMs: number;
  /** Longest silence allowed between two stream reads once streaming. */
  idleMs: number;
}

/** Per-attempt context: where to send, with which credentials, and when to give up. */
export interface AdapterContext {
  apiKey: string;
  /** Base URL as configured, e.g. `https://api.openai.com/v1`, `https://api.anthropic.com`. */
  baseUrl: string;
  /** Extra headers the provider needs (e.g. OpenRouter attribution, anthropic-beta). */
  headers?: Record<string, string>;
  /** Aborting closes the upstream connection; pending calls reject with kind "aborted". */
  signal?: CancelSignal;
  timeouts: UpstreamTimeouts;
  /**
   * Request parameters this endpoint accepts (OpenRouter's `supported_parameters` names, e.g.
   * "top_k", "reasoning", "max_completion_tokens"). When given, adapters drop optional fields not
   * listed instead of letting a strict upstream reject them; when absent, everything is sent.
   */
  supportedParameters?: readonly string[];
  /**
   * True when the endpoint also continues raw prompt text (OpenAI's legacy
   * `POST {base}/completions`): a request with a `rawPrompt` is then sent there as written.
   */
  takesRawPrompt?: boolean;
}

/** One wire protocol. Implementations are stateless apart from the shared HTTP pool. */
export interface ProviderAdapter {
  readonly protocol: Protocol;
  /** One complete answer; rejects with UpstreamError. */
  complete(request: ChatRequest, context: AdapterContext): Promise<ChatResponse>;
  /** A streamed answer; rejects with UpstreamError before the first chunk (see UpstreamStream). */
  stream(request: ChatRequest, context: AdapterContext): Promise<UpstreamStream>;
  /** Embeddings, where the protocol has them (routing skips endpoints whose adapter has none); rejects with UpstreamError. */
  embed?(request: EmbeddingRequest, context: AdapterContext): Promise<EmbeddingResponse>;
}

// ---------------------------------------------------------------------------------------------
// Errors (defined beside this file, part of the same contract)

export { isRetryable, UpstreamError, type UpstreamErrorKind, type UpstreamErrorOptions } from "./upstream-error.js";

/** An empty usage record (all zero). */
export function emptyUsage(): Usage {
  return { promptTokens: 0, completionTokens: 0, cachedPromptTokens: 0, cacheWritePromptTokens: 0, reasoningTokens: 0 };
}
