/**
 * Embeddings on Gemini: `POST {base}/v1beta/models/{model}:batchEmbedContents`
 * (https://ai.google.dev/api/embeddings#method:-models.batchembedcontents), one request per input,
 * `dimensions` sent as `outputDimensionality`, OpenAI-style `input_type` values mapped to the task
 * types Gemini names. Gemini embeds text only and reports no token usage here (the gateway estimates).
 */
import { UpstreamError, type AdapterContext, type EmbeddingRequest, type EmbeddingResponse } from "../spec.js";
import { exchangeJson } from "../shared/exchange.js";
import { asArray, asRecord } from "../shared/json.js";
import type { UpstreamHttp } from "../shared/upstream-http.js";
import { readVectors, reportedTokens } from "../shared/vectors.js";
import { geminiMethodUrl, geminiModelName } from "./url.js";
import { geminiErrorDetails } from "./response.js";

/** OpenAI-style input types → Gemini's task types (Gemini's own names pass as they are). */
const TASK_TYPES: Readonly<Record<string, string>> = {
  search_query: "RETRIEVAL_QUERY",
  query: "RETRIEVAL_QUERY",
  search_document: "RETRIEVAL_DOCUMENT",
  document: "RETRIEVAL_DOCUMENT",
  classification: "CLASSIFICATION",
  clustering: "CLUSTERING",
};

/** The embed call of the Gemini adapter, over a shared HTTP client. */
export function geminiEmbed(http: UpstreamHttp): (request: EmbeddingRequest, context: AdapterContext) => Promise<EmbeddingResponse> {
  return async (request, context) => {
    const texts = request.input.map((entry) => {
      if (typeof entry === "string") return entry;
      throw new UpstreamError("Gemini embeds text only: send the input as strings, not token ids.", { kind: "http", status: 400 });
    });
    const name = `models/${geminiModelName(request.model)}`;
    const taskType = request.input_type === undefined ? undefined : (TASK_TYPES[request.input_type.toLowerCase()] ?? request.input_type.toUpperCase());
    const json = await exchangeJson({
      http,
      context,
      url: geminiMethodUrl(context.baseUrl, request.model, "batchEmbedContents"),
      headers: { "x-goog-api-key": context.apiKey, ...context.headers },
      body: {
        requests: texts.map((text) => ({
          model: name,
          content: { parts: [{ text }] },
          ...(taskType !== undefined ? { taskType } : {}),
          ...(request.dimensions !== undefined ? { outputDimensionality: request.dimensions } : {}),
        })),
      },
      errorDetails: geminiErrorDetails,
    });
    const body = asRecord(json) ?? {};
    return {
      model: request.model,
      vectors: readVectors(asArray(body.embeddings).map((entry) => asRecord(entry)?.values), texts.length),
      promptTokens: reportedTokens(asRecord(body.usageMetadata)?.promptTokenCount),
    };
  };
}
