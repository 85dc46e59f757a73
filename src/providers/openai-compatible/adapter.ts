/**
 * The OpenAI-compatible adapter: one implementation for every upstream that speaks OpenAI's Chat
 * Completions (OpenAI, Groq, Together, Fireworks, DeepSeek, xAI, Mistral, Ollama, vLLM,
 * OpenRouter). What differs per provider (base URL, key, extra headers, accepted parameters)
 * arrives in the AdapterContext.
 */
import type { AdapterContext, ChatRequest, ChatResponse, ProviderAdapter, UpstreamStream } from "../spec.js";
import { exchangeJson, exchangeStream, type ExchangeRequest } from "../shared/exchange.js";
import { joinUrl } from "../shared/json.js";
import type { UpstreamHttp } from "../shared/upstream-http.js";
import { openAIEmbed } from "./embeddings.js";
import { toOpenAIBody } from "./request.js";
import { fromOpenAIResponse, openAIErrorDetails } from "./response.js";
import { translateOpenAIStream } from "./stream.js";

/** Creates the adapter over a shared HTTP client. */
export function createOpenAICompatibleAdapter(http: UpstreamHttp): ProviderAdapter {
  const exchange = (request: ChatRequest, context: AdapterContext, stream: boolean): ExchangeRequest => ({
    http,
    context,
    url: joinUrl(context.baseUrl, "chat/completions"),
    headers: {
      ...(context.apiKey ? { authorization: `Bearer ${context.apiKey}` } : {}),
      ...context.headers,
    },
    body: toOpenAIBody(request, context, stream),
    errorDetails: openAIErrorDetails,
  });
  return {
    protocol: "openai",
    async complete(request: ChatRequest, context: AdapterContext): Promise<ChatResponse> {
      const json = await exchangeJson(exchange(request, context, false));
      return fromOpenAIResponse(json, request.model);
    },
    stream(request: ChatRequest, context: AdapterContext): Promise<UpstreamStream> {
      return exchangeStream(exchange(request, context, true), translateOpenAIStream);
    },
    embed: openAIEmbed(http),
  };
}
