/**
 * The Anthropic Messages adapter (`POST /v1/messages`, `x-api-key`, `anthropic-version`).
 */
import type { AdapterContext, ChatRequest, ChatResponse, ProviderAdapter, UpstreamStream } from "../spec.js";
import { exchangeJson, exchangeStream, type ExchangeRequest } from "../shared/exchange.js";
import { joinUrl } from "../shared/json.js";
import type { UpstreamHttp } from "../shared/upstream-http.js";
import { toAnthropicRequest } from "./request.js";
import { anthropicErrorDetails, fromAnthropicResponse } from "./response.js";
import { translateAnthropicStream } from "./stream.js";

/** The API version this adapter speaks. */
export const ANTHROPIC_VERSION = "2023-06-01";

/** `…/v1/messages` whether or not the configured base URL already ends in `/v1`. */
export function messagesUrl(baseUrl: string): string {
  return /\/v1\/?$/.test(baseUrl) ? joinUrl(baseUrl, "messages") : joinUrl(baseUrl, "v1/messages");
}

/** Creates the adapter over a shared HTTP client. */
export function createAnthropicAdapter(http: UpstreamHttp): ProviderAdapter {
  const exchange = (body: Record<string, unknown>, context: AdapterContext): ExchangeRequest => ({
    http,
    context,
    url: messagesUrl(context.baseUrl),
    headers: { "x-api-key": context.apiKey, "anthropic-version": ANTHROPIC_VERSION, ...context.headers },
    body,
    errorDetails: anthropicErrorDetails,
  });
  return {
    protocol: "anthropic",
    async complete(request: ChatRequest, context: AdapterContext): Promise<ChatResponse> {
      const { body, jsonTool } = toAnthropicRequest(request, context, false);
      return fromAnthropicResponse(await exchangeJson(exchange(body, context)), request.model, jsonTool);
    },
    stream(request: ChatRequest, context: AdapterContext): Promise<UpstreamStream> {
      const { body, jsonTool } = toAnthropicRequest(request, context, true);
      return exchangeStream(exchange(body, context), (events, meta) => translateAnthropicStream(events, meta, jsonTool));
    },
  };
}
