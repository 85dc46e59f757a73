/**
 * Catalog shapes. Input types mirror the config file's `providers` and `models` sections
 * (OpenRouter's `pricing` shape: USD per token as decimal strings); the built catalog holds
 * exact integer prices (nano-USD per million tokens) ready for computeCharge.
 */
import type { Pricing } from "../domain/charge.js";
import type { Protocol } from "../domain/protocols.js";

/** What a model can read. */
export type InputModality = "text" | "image" | "audio" | "file";

/** OpenRouter's pricing object: USD per token (request and image: USD per unit), decimal strings. */
export interface PricingInput {
  prompt: string;
  completion: string;
  request?: string;
  image?: string;
  input_cache_read?: string;
  input_cache_write?: string;
}

/** One upstream as configured (config `providers.<slug>`). */
export interface ProviderInput {
  protocol?: Protocol;
  base_url?: string;
  api_key?: string;
  /** Display name shown in responses (`provider`) and /endpoints. */
  name?: string;
  /** True when the provider may store or train on prompts (filtered by data_collection: deny). */
  collects_data?: boolean;
  /** The config file's spelling of the same fact: "allow" = the provider may store or train. */
  data_collection?: "allow" | "deny";
  /** Extra headers sent upstream with every request (e.g. attribution for another gateway). */
  headers?: Record<string, string>;
}

/** One way to serve a model (config `models[].endpoints[]`). */
export interface EndpointInput {
  provider: string;
  /** The upstream's own model id. */
  model: string;
  pricing: PricingInput;
  context_length?: number;
  max_completion_tokens?: number;
  input_modalities?: InputModality[];
  supported_parameters?: string[];
  quantization?: string;
  /** Where the price came from (URL) and when it was read (YYYY-MM-DD). */
  price_source?: string;
  price_checked?: string;
}

/** One model (config `models[]`). */
export interface ModelInput {
  id: string;
  name?: string;
  description?: string;
  /** Unix seconds. */
  created?: number;
  context_length?: number;
  max_completion_tokens?: number;
  input_modalities?: InputModality[];
  supported_parameters?: string[];
  endpoints?: EndpointInput[];
}

/** Everything the catalog builder needs from the configuration. */
export interface CatalogInput {
  /** `catalog.include_default`; true when absent. */
  includeDefault?: boolean;
  providers?: Record<string, ProviderInput>;
  models?: ModelInput[];
}

/** A provider after merging defaults with the configuration. */
export interface Provider {
  slug: string;
  name: string;
  protocol: Protocol;
  baseUrl: string;
  /** Absent when the operator has not configured a key: its endpoints answer 503. */
  apiKey: string | undefined;
  collectsData: boolean;
  headers: Record<string, string>;
}

/** One servable (model, provider) pair with exact integer prices. */
export interface Endpoint {
  /** Stable id: `<model id>@<provider slug>`. */
  id: string;
  modelId: string;
  provider: Provider;
  upstreamModel: string;
  pricing: Pricing;
  /** The pricing as given (USD per token strings), for the wire. */
  pricingText: Required<Pick<PricingInput, "prompt" | "completion">> & PricingInput;
  contextLength: number;
  maxCompletionTokens: number;
  inputModalities: InputModality[];
  supportedParameters: string[];
  quantization: string | undefined;
  priceSource: string | undefined;
  priceChecked: string | undefined;
}

/** A model with its endpoints. */
export interface Model {
  id: string;
  name: string;
  description: string;
  created: number;
  contextLength: number;
  inputModalities: InputModality[];
  /** Union over endpoints. */
  supportedParameters: string[];
  endpoints: Endpoint[];
}

/** The built, immutable catalog. */
export interface Catalog {
  models: ReadonlyMap<string, Model>;
  providers: ReadonlyMap<string, Provider>;
}
