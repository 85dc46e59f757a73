/**
 * Fake Google Gemini upstream (Generative Language API v1beta):
 * `POST /v1beta/models/{model}:generateContent` and `:streamGenerateContent?alt=sse` (and
 * `:batchEmbedContents`, see renderEmbeddings), shapes as
 * documented at ai.google.dev/api/generate-content: candidates[].content.parts (text, thought
 * parts, whole functionCall parts), finishReason, usageMetadata (promptTokenCount including
 * cachedContentTokenCount, candidatesTokenCount excluding thoughtsTokenCount), responseId and
 * modelVersion; SSE frames separated by CRLF CRLF; errors as
 * `{"error":{"code","message","status","details"}}` with RetryInfo on 429.
 */
import { randomBytes } from "node:crypto";
import { DEFAULT_USAGE, finishOf, pieces, textOf, type FakeBehaviour, type RecordedRequest } from "./behaviour.js";
import { fakeVector } from "./embeddings.js";
import { retryHeaders, startFakeServer, type FakeOptions, type FakeUpstream, type ProtocolRenderer, type Rendered } from "./server.js";

const FINISH: Record<string, string> = { stop: "STOP", length: "MAX_TOKENS", tool_calls: "STOP", content_filter: "SAFETY" };
const STATUS: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  429: "RESOURCE_EXHAUSTED",
  500: "INTERNAL",
  503: "UNAVAILABLE",
  504: "DEADLINE_EXCEEDED",
};

function modelOf(behaviour: FakeBehaviour, request: RecordedRequest): string {
  const match = /\/models\/([^:/?]+)/.exec(request.url);
  return behaviour.model ?? decodeURIComponent(match?.[1] ?? "gemini-2.5-flash");
}

function usageOf(behaviour: FakeBehaviour): Record<string, unknown> {
  const usage = behaviour.usage ?? DEFAULT_USAGE;
  const thoughts = usage.reasoning ?? 0;
  return {
    promptTokenCount: usage.prompt,
    candidatesTokenCount: usage.completion - thoughts,
    totalTokenCount: usage.prompt + usage.completion,
    ...(usage.cached ? { cachedContentTokenCount: usage.cached } : {}),
    ...(thoughts ? { thoughtsTokenCount: thoughts } : {}),
    promptTokensDetails: [{ modality: "TEXT", tokenCount: usage.prompt }],
  };
}

/** The signature the fake puts on function calls (base64, like Google's). */
export const FAKE_SIGNATURE = "CiQBjz1rX4fakeSignature+/w==";

/** `logprobsResult` for `tokens` when generationConfig asked for it (responseLogprobs, logprobs = alternatives). */
function logprobsResultOf(request: RecordedRequest, tokens: string[]): Record<string, unknown> | undefined {
  const config = (request.body as { generationConfig?: { responseLogprobs?: unknown; logprobs?: unknown } } | undefined)?.generationConfig;
  if (config?.responseLogprobs !== true) return undefined;
  const alternatives = typeof config.logprobs === "number" ? config.logprobs : 0;
  const chosen = tokens.map((token, index) => ({ token, tokenId: 1000 + index, logProbability: -0.01 * (index + 1) }));
  return {
    logProbabilitySum: chosen.reduce((sum, c) => sum + c.logProbability, 0),
    topCandidates: chosen.map((c) => ({
      candidates: Array.from({ length: alternatives }, (_, rank) => ({ token: rank === 0 ? c.token : `${c.token}~${rank}`, tokenId: c.tokenId + rank, logProbability: c.logProbability - rank })),
    })),
    chosenCandidates: chosen,
  };
}

const frame = (data: unknown): string => `data: ${JSON.stringify(data)}\r\n\r\n`;

/** How Gemini looks on the wire. */
export const geminiRenderer: ProtocolRenderer = {
  frameEnd: "\r\n\r\n",
  isStream: (request) => request.url.includes(":streamGenerateContent") && request.url.includes("alt=sse"),
  renderError(error) {
    const status = STATUS[error.status] ?? (error.status >= 500 ? "INTERNAL" : "FAILED_PRECONDITION");
    const details =
      error.status === 429 && error.retryAfter !== undefined
        ? [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: `${error.retryAfter}s` }]
        : [];
    return {
      kind: "json",
      status: error.status,
      headers: retryHeaders(error),
      body: JSON.stringify({ error: { code: error.status, message: error.message ?? `Fake upstream ${status}`, status, details } }),
    };
  },
  streamErrorFrame: () => frame({ error: { code: 503, message: "The model is overloaded. Please try again later.", status: "UNAVAILABLE" } }),
  render(behaviour, request, stream): Rendered {
    if (request.url.includes(":batchEmbedContents")) return renderEmbeddings(request);
    const responseId = randomBytes(12).toString("base64url");
    const modelVersion = modelOf(behaviour, request);
    const text = textOf(behaviour);
    const finishReason = FINISH[finishOf(behaviour)] ?? "STOP";
    // Gemini 3 signs the first function call of a turn and expects the signature back.
    const calls = (behaviour.toolCalls ?? []).map((call, index) => ({
      functionCall: { name: call.name, args: call.arguments },
      ...(index === 0 ? { thoughtSignature: FAKE_SIGNATURE } : {}),
    }));
    const response = (parts: unknown[], finish?: string): Record<string, unknown> => {
      const texts = parts.flatMap((part) => {
        const record = part as { text?: unknown; thought?: unknown };
        return typeof record.text === "string" && record.text !== "" && record.thought !== true ? pieces(record.text) : [];
      });
      const logprobsResult = texts.length > 0 ? logprobsResultOf(request, texts) : undefined;
      return {
      candidates: [{ content: { parts, role: "model" }, ...(finish ? { finishReason: finish } : {}), ...(logprobsResult ? { logprobsResult } : {}), index: 0 }],
      ...(behaviour.omitUsage ? {} : { usageMetadata: usageOf(behaviour) }),
      modelVersion,
      responseId,
      };
    };
    if (!stream) {
      const parts: unknown[] = [];
      if (behaviour.reasoning !== undefined) parts.push({ text: behaviour.reasoning, thought: true });
      if (text !== "") parts.push({ text });
      parts.push(...calls);
      return { kind: "json", status: 200, body: JSON.stringify(response(parts, finishReason)) };
    }
    const frames: string[] = [];
    if (behaviour.reasoning !== undefined) for (const piece of pieces(behaviour.reasoning)) frames.push(frame(response([{ text: piece, thought: true }])));
    for (const piece of pieces(text)) frames.push(frame(response([{ text: piece }])));
    for (const call of calls) frames.push(frame(response([call])));
    frames.push(frame(response([{ text: "" }], finishReason)));
    return { kind: "sse", frames };
  },
};

/**
 * `POST /v1beta/models/{model}:batchEmbedContents` as documented at
 * ai.google.dev/api/embeddings: `{embeddings: [{values}]}`, one per request, each shortened to
 * its `outputDimensionality`; no usage is reported.
 */
function renderEmbeddings(request: RecordedRequest): Rendered {
  const requests = ((request.body as { requests?: unknown } | undefined)?.requests ?? []) as {
    content?: { parts?: { text?: string }[] };
    outputDimensionality?: number;
  }[];
  const embeddings = requests.map((entry) => ({
    values: fakeVector((entry.content?.parts ?? []).map((part) => part.text ?? "").join(""), entry.outputDimensionality),
  }));
  return { kind: "json", status: 200, body: JSON.stringify({ embeddings }) };
}

/** Starts a fake Gemini upstream; point the adapter's baseUrl at `url`. */
export function startFakeGemini(options?: FakeOptions): Promise<FakeUpstream> {
  return startFakeServer(geminiRenderer, options);
}
