/**
 * The shipped embedding models (OpenAI, Google, Mistral, and open-weight ones on Together and
 * Fireworks). They are billed per input token only. Where the price database
 * (@pydantic/genai-prices) prices a model, its price is read from there; the others carry the
 * price the provider publishes, with that page noted beside it as the endpoint's `price_source`.
 * Embedding models are served by /embeddings only and never offered to chat.
 */
import { pricesAt, perToken } from "./database-pricing.js";
import type { PriceData } from "./price-database.js";
import type { EndpointInput, ModelInput, Provider } from "./types.js";

/** Whether a model id names an embedding model (how the price database and upstream listings name them). */
export function isEmbeddingModelName(id: string): boolean {
  return /embed/i.test(id);
}

/** Where one shipped endpoint's price comes from. */
type ShippedPrice =
  /** The price database's entry of this id under the provider's `price_database_id`. */
  | { database: string }
  /** The provider's published price (USD per million input tokens) and the page stating it. */
  | { usdPerMillion: number; source: string };

interface ShippedEmbedding {
  id: string;
  name: string;
  description: string;
  /** Input tokens one input may hold, and where that is published. */
  contextLength: number;
  contextSource: string;
  endpoints: { provider: string; model: string; price: ShippedPrice }[];
}

const TOGETHER_PRICES = "https://www.together.ai/pricing";
const FIREWORKS_PRICES = "https://fireworks.ai/pricing";

/** The shipped list; prices not in the price database are the providers' published list prices. */
export const SHIPPED_EMBEDDINGS: readonly ShippedEmbedding[] = [
  {
    id: "openai/text-embedding-3-small",
    name: "OpenAI: Text Embedding 3 Small",
    description: "OpenAI's small third-generation embedding model (1536 dimensions, shortened with `dimensions`).",
    contextLength: 8_192,
    contextSource: "https://platform.openai.com/docs/guides/embeddings",
    endpoints: [{ provider: "openai", model: "text-embedding-3-small", price: { database: "text-embedding-3-small" } }],
  },
  {
    id: "openai/text-embedding-3-large",
    name: "OpenAI: Text Embedding 3 Large",
    description: "OpenAI's large third-generation embedding model (3072 dimensions, shortened with `dimensions`).",
    contextLength: 8_192,
    contextSource: "https://platform.openai.com/docs/guides/embeddings",
    endpoints: [{ provider: "openai", model: "text-embedding-3-large", price: { database: "text-embedding-3-large" } }],
  },
  {
    id: "openai/text-embedding-ada-002",
    name: "OpenAI: Text Embedding Ada 002",
    description: "OpenAI's second-generation embedding model (1536 dimensions).",
    contextLength: 8_192,
    contextSource: "https://platform.openai.com/docs/guides/embeddings",
    endpoints: [{ provider: "openai", model: "text-embedding-ada-002", price: { database: "text-embedding-ada-002" } }],
  },
  {
    id: "google/gemini-embedding-001",
    name: "Google: Gemini Embedding 001",
    description: "Google's Gemini embedding model (3072 dimensions, shortened with `dimensions`).",
    contextLength: 2_048,
    contextSource: "https://ai.google.dev/gemini-api/docs/embeddings",
    endpoints: [{ provider: "google", model: "gemini-embedding-001", price: { database: "gemini-embedding-001" } }],
  },
  {
    id: "mistralai/mistral-embed",
    name: "Mistral: Mistral Embed",
    description: "Mistral's embedding model (1024 dimensions).",
    contextLength: 8_192,
    contextSource: "https://docs.mistral.ai/capabilities/embeddings/",
    endpoints: [{ provider: "mistral", model: "mistral-embed", price: { database: "mistral-embed" } }],
  },
  {
    id: "baai/bge-large-en-v1.5",
    name: "BAAI: bge-large-en-v1.5",
    description: "BAAI's open-weight English embedding model (335M parameters, 1024 dimensions).",
    contextLength: 512,
    contextSource: "https://huggingface.co/BAAI/bge-large-en-v1.5",
    endpoints: [{ provider: "together", model: "BAAI/bge-large-en-v1.5", price: { usdPerMillion: 0.016, source: TOGETHER_PRICES } }],
  },
  {
    id: "baai/bge-base-en-v1.5",
    name: "BAAI: bge-base-en-v1.5",
    description: "BAAI's open-weight English embedding model (109M parameters, 768 dimensions).",
    contextLength: 512,
    contextSource: "https://huggingface.co/BAAI/bge-base-en-v1.5",
    endpoints: [{ provider: "together", model: "BAAI/bge-base-en-v1.5", price: { usdPerMillion: 0.008, source: TOGETHER_PRICES } }],
  },
  {
    id: "intfloat/multilingual-e5-large-instruct",
    name: "intfloat: multilingual-e5-large-instruct",
    description: "An open-weight multilingual embedding model (560M parameters, 1024 dimensions).",
    contextLength: 514,
    contextSource: "https://huggingface.co/intfloat/multilingual-e5-large-instruct",
    endpoints: [{ provider: "together", model: "intfloat/multilingual-e5-large-instruct", price: { usdPerMillion: 0.02, source: TOGETHER_PRICES } }],
  },
  {
    id: "nomic-ai/nomic-embed-text-v1.5",
    name: "Nomic: nomic-embed-text-v1.5",
    description: "Nomic's open-weight embedding model (137M parameters, 768 dimensions, Matryoshka `dimensions`).",
    contextLength: 8_192,
    contextSource: "https://huggingface.co/nomic-ai/nomic-embed-text-v1.5",
    endpoints: [{ provider: "fireworks", model: "nomic-ai/nomic-embed-text-v1.5", price: { usdPerMillion: 0.008, source: FIREWORKS_PRICES } }],
  },
];

/** The shipped embedding models for the catalog's providers, priced as of `now`. */
export function embeddingModels(data: PriceData, providers: ReadonlyMap<string, Provider>, now: Date): ModelInput[] {
  const models: ModelInput[] = [];
  for (const shipped of SHIPPED_EMBEDDINGS) {
    const endpoints = shipped.endpoints.flatMap((endpoint) => {
      const provider = providers.get(endpoint.provider);
      const priced = provider ? priceOf(endpoint.price, provider, data, now) : undefined;
      if (!priced) return [];
      const input: EndpointInput = {
        provider: endpoint.provider,
        model: endpoint.model,
        pricing: { prompt: perToken(priced.usdPerMillion), completion: "0" },
        context_length: shipped.contextLength,
        input_modalities: ["text"],
        supported_parameters: ["dimensions"],
        price_source: priced.source,
        sources: {
          pricing: priced.label,
          context_length: shipped.contextSource,
          input_modalities: "farebox embeds text",
          supported_parameters: "the /embeddings request",
        },
      };
      return [input];
    });
    if (endpoints.length === 0) continue;
    models.push({ id: shipped.id, kind: "embeddings", name: shipped.name, description: shipped.description, context_length: shipped.contextLength, endpoints });
  }
  return models;
}

function priceOf(price: ShippedPrice, provider: Provider, data: PriceData, now: Date): { usdPerMillion: number; source: string; label: string } | undefined {
  if ("usdPerMillion" in price) return { usdPerMillion: price.usdPerMillion, source: price.source, label: `published price: ${price.source}` };
  const database = data.providers.find((entry) => entry.id === provider.priceDatabaseId);
  const info = database?.models.find((model) => model.id === price.database);
  if (!database || !info) return undefined;
  const input = pricesAt(info, now).input_mtok;
  const usdPerMillion = typeof input === "number" ? input : input?.base;
  if (usdPerMillion === undefined) return undefined;
  return { usdPerMillion, source: database.pricing_urls?.[0] ?? "https://github.com/pydantic/genai-prices", label: `${data.label}: ${database.id}/${info.id}` };
}
