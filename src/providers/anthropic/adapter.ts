/**
 * The Anthropic Messages adapter (`POST /v1/messages`, `x-api-key`, `anthropic-version`).
 */
import type { AdapterContext, ChatRequest, ChatResponse, ProviderAdapter, UpstreamStream } from "../spec.js";
import { exchangeJson, exchangeStream, type ExchangeRequest } from "../shared/exchange.js";
import { joinUrl } from "../shared/json.js";
import type { UpstreamHttp } from "../shared/upstream-http.js";
import { toAnthropicRequest, type AnthropicRequest } from "./request.js";
import { anthropicErrorDetails, fromAnthropicResponse } from "./response.js";
import { translateAnthropicStream } from "./stream.js";

/** The API version this adapter speaks. */
export const ANTHROPIC_VERSION = "2023-06-01";

/** `…/v1/messages` whether or not the configured base URL already ends in `/v1`. */
export function messagesUrl(baseUrl: string): string {
  return /\/v1\/?$/.test(baseUrl) ? joinUrl(baseUrl, "messages") : joinUrl(baseUrl, "v1/messages");
}

/** The `anthropic-beta` header with the request's betas added to any the operator configured. */
function betaHeader(betas: readonly string[] | undefined, configured: Record<string, string> | undefined): Record<string, string> {
  if (!betas || betas.length === 0) return {};
  const existing = Object.entries(configured ?? {}).find(([name]) => name.toLowerCase() === "anthropic-beta")?.[1];
  const all = [...new Set([...(existing ? existing.split(",").map((beta) => beta.trim()) : []), ...betas])];
  return { "anthropic-beta": all.join(",") };
}

/** Creates the adapter over a shared HTTP client. */
export function createAnthropicAdapter(http: UpstreamHttp): ProviderAdapter {
  const exchange = ({ body, betas }: AnthropicRequest, context: AdapterContext): ExchangeRequest => ({
    http,
    context,
    url: messagesUrl(context.baseUrl),
    headers: { "x-api-key": context.apiKey, "anthropic-version": ANTHROPIC_VERSION, ...context.headers, ...betaHeader(betas, context.headers) },
    body,
    errorDetails: anthropicErrorDetails,
  });
  return {
    protocol: "anthropic",
    async complete(request: ChatRequest, context: AdapterContext): Promise<ChatResponse> {
      const built = toAnthropicRequest(request, context, false);
      return fromAnthropicResponse(await exchangeJson(exchange(built, context)), request.model, built.jsonTool);
    },
    stream(request: ChatRequest, context: AdapterContext): Promise<UpstreamStream> {
      const built = toAnthropicRequest(request, context, true);
      return exchangeStream(exchange(built, context), (events, meta) => translateAnthropicStream(events, meta, built.jsonTool));
    },
  };
}
