/**
 * Catalog shapes. Input types mirror the config file's `providers` and `models` sections
 * (OpenRouter's `pricing` shape: USD per token as decimal strings); the built catalog holds
 * exact integer prices (nano-USD per million tokens) ready for computeCharge.
 */
import type { Pricing } from "../domain/charge.js";
import type { ListedModel } from "../domain/listed-model.js";
import type { Protocol } from "../domain/protocols.js";
import type { PriceData } from "./price-database.js";

/** What a model is for: chat completions, or embeddings (never offered to the other). */
export type ModelKind = "chat" | "embeddings";

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
  /** Higher prices for requests whose prompt is longer than a threshold (e.g. above 200K tokens). */
  tiers?: PriceTierInput[];
}

/** One price tier: replaces the listed token prices when the prompt has more than `above_prompt_tokens`. */
export interface PriceTierInput {
  above_prompt_tokens: number;
  prompt?: string;
  completion?: string;
  input_cache_read?: string;
  input_cache_write?: string;
}

/** Where each of an endpoint's values came from, as `npm run catalog` shows it. */
export interface EndpointSources {
  pricing: string;
  context_length: string;
  max_completion_tokens: string;
  input_modalities: string;
  supported_parameters: string;
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
  /** The provider's id in the price database (@pydantic/genai-prices), when it has one. */
  price_database_id?: string;
  /** The model author a first-party provider publishes under (OpenRouter's id prefix). */
  author?: string;
  /** `auto`: list the upstream's models at start and every hour (discovery). */
  models?: "auto";
  /** `free`: models discovered on this provider cost nothing (the operator's own hardware). */
  pricing?: "free";
  /**
   * Parameters this upstream accepts beyond what its protocol's adapter sends by default (e.g. a
   * vendor's own fields); added to the protocol default of its endpoints that list none.
   */
  extra_parameters?: string[];
  /**
   * True when the upstream also serves OpenAI's legacy text completions (`POST {base}/completions`,
   * a raw `prompt` continued without a chat template) for its models.
   */
  text_completions?: boolean;
}

/** One way to serve a model (config `models[].endpoints[]`). */
export interface EndpointInput {
  provider: string;
  /** The upstream's own model id. */
  model: string;
  /** Absent: the endpoint is listed but refused until priced (a discovered model with no known price). */
  pricing?: PricingInput;
  context_length?: number;
  max_completion_tokens?: number;
  input_modalities?: InputModality[];
  supported_parameters?: string[];
  quantization?: string;
  /** Where the price came from (URL) and when it was read (YYYY-MM-DD). */
  price_source?: string;
  price_checked?: string;
  /** Where each value came from; absent values are attributed to the config file. */
  sources?: Partial<EndpointSources>;
}

/** One model (config `models[]`). */
export interface ModelInput {
  id: string;
  /** `embeddings`: an embedding model, served only by /embeddings; chat when absent. */
  kind?: ModelKind;
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
  /** Models discovery listed, by provider slug; merged under the config file's and over the shipped ones. */
  discovered?: Readonly<Record<string, readonly ListedModel[]>>;
  /** The price database to build the shipped models from; the package's bundled data when absent. */
  priceData?: PriceData;
  /** What each protocol's adapter can send: the default supported_parameters of an endpoint. */
  protocolParameters?: Readonly<Partial<Record<Protocol, readonly string[]>>>;
  /** Resolves the database's dated prices; the current time when absent. */
  now?: Date;
  /** Output tokens held (and sent as `max_tokens`) for a request without one on an endpoint whose output limit is unknown. */
  unknownOutputLimitTokens?: number;
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
  author: string | undefined;
  priceDatabaseId: string | undefined;
  /** True when the operator asked for `models: auto` (discovery). */
  discover: boolean;
  /** True when the operator marked the provider `pricing: free`. */
  free: boolean;
  /** Parameters accepted beyond the protocol default (`providers.<slug>.extra_parameters`). */
  extraParameters: string[];
  /** Serves raw prompts at `{base}/completions` (`providers.<slug>.text_completions`). */
  textCompletions: boolean;
}

/** One servable (model, provider) pair with exact integer prices. */
export interface Endpoint {
  /** Stable id: `<model id>@<provider slug>`. */
  id: string;
  modelId: string;
  provider: Provider;
  upstreamModel: string;
  /** Zero when `priced` is false: such an endpoint is listed but never routed to. */
  pricing: Pricing;
  /** False for a discovered model without a known price: refused until the operator prices it. */
  priced: boolean;
  /** The pricing as given (USD per token strings), for the wire. */
  pricingText: Required<Pick<PricingInput, "prompt" | "completion">> & PricingInput;
  sources: EndpointSources;
  contextLength: number;
  /** The most output a request may ask for: the published limit, else the context window. */
  maxCompletionTokens: number;
  /** False when no source publishes the output limit (`maxCompletionTokens` is then the context window). */
  outputLimitKnown: boolean;
  /**
   * Output tokens a request without `max_tokens` is held for: the published limit, or, when it is
   * unknown, `catalog.unknown_output_limit_tokens` (capped by the context window), which is then
   * also sent upstream as `max_tokens` so the answer cannot exceed what was held.
   */
  defaultOutputTokens: number;
  /** What the endpoint reads; undefined when no source states it (routing then lets the upstream decide). */
  inputModalities: InputModality[] | undefined;
  supportedParameters: string[];
  quantization: string | undefined;
  priceSource: string | undefined;
  priceChecked: string | undefined;
}

/** A model with its endpoints. */
export interface Model {
  id: string;
  /** Chat models answer /chat/completions; embedding models answer /embeddings only. */
  kind: ModelKind;
  name: string;
  description: string;
  created: number;
  contextLength: number;
  /** Union over the endpoints that state theirs; undefined when none does. */
  inputModalities: InputModality[] | undefined;
  /** Union over endpoints. */
  supportedParameters: string[];
  endpoints: Endpoint[];
}

/** The built, immutable catalog. */
export interface Catalog {
  models: ReadonlyMap<string, Model>;
  providers: ReadonlyMap<string, Provider>;
}
