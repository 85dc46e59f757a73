/**
 * Protocol name → adapter. The only place outside a protocol's folder that names it. All
 * adapters share one UpstreamHttp (one undici Agent, one keep-alive pool per origin).
 * Creating a registry opens nothing; close() releases pooled connections at shutdown. Every
 * adapter's errors are redacted of the attempt's credentials (shared/redacting-adapter.ts).
 */
import { createAnthropicAdapter } from "./anthropic/adapter.js";
import { listAnthropicModels } from "./anthropic/model-list.js";
import { ANTHROPIC_PARAMETERS } from "./anthropic/parameters.js";
import { createGeminiAdapter } from "./gemini/adapter.js";
import { listGeminiModels } from "./gemini/model-list.js";
import { GEMINI_PARAMETERS } from "./gemini/parameters.js";
import { createOpenAICompatibleAdapter } from "./openai-compatible/adapter.js";
import { listOpenAICompatibleModels } from "./openai-compatible/model-list.js";
import { OPENAI_COMPATIBLE_PARAMETERS } from "./openai-compatible/parameters.js";
import type { ModelLister } from "./shared/model-list.js";
import { withSecretsRedacted } from "./shared/redacting-adapter.js";
import { createUpstreamHttp, type UpstreamHttp, type UpstreamHttpOptions } from "./shared/upstream-http.js";
import { PROTOCOLS, type Protocol } from "../domain/protocols.js";
import type { ProviderAdapter } from "./spec.js";

/** Every protocol an endpoint may declare. */
export const PROVIDER_PROTOCOLS: readonly Protocol[] = PROTOCOLS;

/**
 * What each protocol's adapter can send: the default `supported_parameters` of an endpoint that
 * does not list its own (the catalog receives this from the wiring; it does not import providers).
 */
export const PROTOCOL_PARAMETERS: Readonly<Record<Protocol, readonly string[]>> = {
  openai: OPENAI_COMPATIBLE_PARAMETERS,
  anthropic: ANTHROPIC_PARAMETERS,
  gemini: GEMINI_PARAMETERS,
};

/** How each protocol lists an upstream's models (discovery, `models: auto`). */
export const MODEL_LISTERS: Readonly<Record<Protocol, ModelLister>> = {
  openai: listOpenAICompatibleModels,
  anthropic: listAnthropicModels,
  gemini: listGeminiModels,
};

/** The adapters, by protocol. */
export interface ProviderRegistry {
  /** The adapter for a protocol. */
  get(protocol: Protocol): ProviderAdapter;
  /** Closes the shared connection pools. */
  close(): Promise<void>;
}

/** Options for building the registry: pool settings, or an existing client to share. */
export interface ProviderRegistryOptions extends UpstreamHttpOptions {
  http?: UpstreamHttp;
}

/** Whether a string names a known protocol (for validating configuration). */
export function isProviderProtocol(value: string): value is Protocol {
  return (PROVIDER_PROTOCOLS as readonly string[]).includes(value);
}

/** Builds one adapter per protocol over a shared HTTP client. */
export function createProviderRegistry(options: ProviderRegistryOptions = {}): ProviderRegistry {
  const http = options.http ?? createUpstreamHttp(options);
  const adapters: Record<Protocol, ProviderAdapter> = {
    openai: withSecretsRedacted(createOpenAICompatibleAdapter(http)),
    anthropic: withSecretsRedacted(createAnthropicAdapter(http)),
    gemini: withSecretsRedacted(createGeminiAdapter(http)),
  };
  return {
    get: (protocol) => adapters[protocol],
    close: () => http.close(),
  };
}
