/**
 * The Google Gemini adapter (Generative Language API v1beta, `x-goog-api-key`):
 * `POST {base}/v1beta/models/{model}:generateContent`, and
 * `:streamGenerateContent?alt=sse` for streams, `:batchEmbedContents` for embeddings.
 */
import type { AdapterContext, ChatRequest, ChatResponse, ProviderAdapter, UpstreamStream } from "../spec.js";
import { exchangeJson, exchangeStream, type ExchangeRequest } from "../shared/exchange.js";
import type { UpstreamHttp } from "../shared/upstream-http.js";
import { geminiEmbed } from "./embeddings.js";
import { toGeminiBody } from "./request.js";
import { fromGeminiResponse, geminiErrorDetails } from "./response.js";
import { translateGeminiStream } from "./stream.js";
import { geminiUrl } from "./url.js";

export { geminiUrl } from "./url.js";

/** Creates the adapter over a shared HTTP client. */
export function createGeminiAdapter(http: UpstreamHttp): ProviderAdapter {
  const exchange = (request: ChatRequest, context: AdapterContext, stream: boolean): ExchangeRequest => ({
    http,
    context,
    url: geminiUrl(context.baseUrl, request.model, stream),
    headers: { "x-goog-api-key": context.apiKey, ...context.headers },
    body: toGeminiBody(request, context),
    errorDetails: geminiErrorDetails,
  });
  return {
    protocol: "gemini",
    async complete(request: ChatRequest, context: AdapterContext): Promise<ChatResponse> {
      return fromGeminiResponse(await exchangeJson(exchange(request, context, false)), request.model);
    },
    async stream(request: ChatRequest, context: AdapterContext): Promise<UpstreamStream> {
      const stream = await exchangeStream(exchange(request, context, true), translateGeminiStream);
      return stream.model === "" ? { ...stream, model: request.model } : stream;
    },
    embed: geminiEmbed(http),
  };
}
