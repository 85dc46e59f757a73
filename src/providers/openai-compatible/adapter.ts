/**
 * The OpenAI-compatible adapter: one implementation for every upstream that speaks OpenAI's Chat
 * Completions (OpenAI, Groq, Together, Fireworks, DeepSeek, xAI, Mistral, Ollama, vLLM,
 * OpenRouter). What differs per provider (base URL, key, extra headers, accepted parameters)
 * arrives in the AdapterContext. A request with a raw prompt, on an endpoint that takes one, goes
 * to the legacy `/completions` instead (text-completions.ts).
 */
import type { AdapterContext, ChatRequest, ChatResponse, ProviderAdapter, UpstreamStream } from "../spec.js";
import { exchangeJson, exchangeStream, type ExchangeRequest } from "../shared/exchange.js";
import { joinUrl } from "../shared/json.js";
import type { UpstreamHttp } from "../shared/upstream-http.js";
import { openAIEmbed } from "./embeddings.js";
import { toOpenAIBody } from "./request.js";
import { fromOpenAIResponse, openAIErrorDetails } from "./response.js";
import { translateOpenAIStream } from "./stream.js";
import { fromTextCompletionResponse, sendsRawPrompt, toTextCompletionBody, translateTextCompletionStream } from "./text-completions.js";

/** The most base URLs whose chat URL is kept (one per provider, so a catalog's worth); past it the memo starts over. */
const MAX_KNOWN_BASES = 1_024;

/** Creates the adapter over a shared HTTP client. */
export function createOpenAICompatibleAdapter(http: UpstreamHttp): ProviderAdapter {
  // each base URL's chat URL joined once: joinUrl ran two regular expressions and made a new
  // string per request, which UpstreamHttp's URL memo then hashed again (with response.ts's early
  // returns, 0.6–0.9 KB less allocated per request: bench/RESULTS.md, "Fifth pass: the upstream exchange")
  const chatUrls = new Map<string, string>();
  const chatUrl = (baseUrl: string): string => {
    let url = chatUrls.get(baseUrl);
    if (url === undefined) {
      url = joinUrl(baseUrl, "chat/completions");
      if (chatUrls.size >= MAX_KNOWN_BASES) chatUrls.clear();
      chatUrls.set(baseUrl, url);
    }
    return url;
  };
  const exchange = (request: ChatRequest, context: AdapterContext, stream: boolean): ExchangeRequest => {
    const raw = sendsRawPrompt(request, context);
    return {
      http,
      context,
      url: raw ? joinUrl(context.baseUrl, "completions") : chatUrl(context.baseUrl),
      // postJson copies these into the request's headers: no copy is made here without a key
      headers: context.apiKey ? { authorization: `Bearer ${context.apiKey}`, ...context.headers } : (context.headers ?? {}),
      body: raw ? toTextCompletionBody(request, context, stream) : toOpenAIBody(request, context, stream),
      errorDetails: openAIErrorDetails,
    };
  };
  return {
    protocol: "openai",
    async complete(request: ChatRequest, context: AdapterContext): Promise<ChatResponse> {
      const json = await exchangeJson(exchange(request, context, false));
      return sendsRawPrompt(request, context) ? fromTextCompletionResponse(json, request.model) : fromOpenAIResponse(json, request.model);
    },
    stream(request: ChatRequest, context: AdapterContext): Promise<UpstreamStream> {
      const translate = sendsRawPrompt(request, context) ? translateTextCompletionStream : translateOpenAIStream;
      return exchangeStream(exchange(request, context, true), translate);
    },
    embed: openAIEmbed(http),
  };
}
