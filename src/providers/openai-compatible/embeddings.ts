/**
 * Embeddings on an OpenAI-compatible upstream: `POST {base}/embeddings`
 * (https://platform.openai.com/docs/api-reference/embeddings/create). Vectors are always asked
 * for as floats; the inbound format encodes base64 itself when its client asked for it.
 * `dimensions` is always sent (dropping it would silently change the vectors' length).
 */
import type { AdapterContext, EmbeddingRequest, EmbeddingResponse } from "../spec.js";
import { exchangeJson } from "../shared/exchange.js";
import { accepts, asArray, asRecord, asString, joinUrl } from "../shared/json.js";
import type { UpstreamHttp } from "../shared/upstream-http.js";
import { readVectors, reportedTokens } from "../shared/vectors.js";
import { openAIErrorDetails } from "./response.js";

/** The embed call of the OpenAI-compatible adapter, over a shared HTTP client. */
export function openAIEmbed(http: UpstreamHttp): (request: EmbeddingRequest, context: AdapterContext) => Promise<EmbeddingResponse> {
  return async (request, context) => {
    const json = await exchangeJson({
      http,
      context,
      url: joinUrl(context.baseUrl, "embeddings"),
      headers: { ...(context.apiKey ? { authorization: `Bearer ${context.apiKey}` } : {}), ...context.headers },
      body: {
        model: request.model,
        input: request.input,
        encoding_format: "float",
        ...(request.dimensions !== undefined ? { dimensions: request.dimensions } : {}),
        // a vendor field (NVIDIA, Voyage-style servers): only where the endpoint lists it, as OpenAI refuses unknown fields
        ...(request.input_type !== undefined && accepts(context.supportedParameters, "input_type") ? { input_type: request.input_type } : {}),
      },
      errorDetails: openAIErrorDetails,
    });
    const body = asRecord(json) ?? {};
    // entries carry their input's index; an upstream may list them in any order
    const entries = asArray(body.data).map((entry, position) => {
      const record = asRecord(entry) ?? {};
      return { index: typeof record.index === "number" ? record.index : position, embedding: record.embedding };
    });
    entries.sort((a, b) => a.index - b.index);
    return {
      model: asString(body.model) ?? request.model,
      vectors: readVectors(entries.map((entry) => entry.embedding), request.input.length),
      promptTokens: reportedTokens(asRecord(body.usage)?.prompt_tokens),
    };
  };
}
