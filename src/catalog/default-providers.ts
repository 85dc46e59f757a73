/**
 * Upstreams the shipped catalog refers to, each with its id in the price database (the shipped
 * models are every chat model the database prices for them) and, for first-party providers, the
 * author their models are published under. None has a key: the operator supplies keys in the
 * config file (`providers.<slug>.api_key: "${OPENAI_API_KEY}"`); until then their models are
 * listed but answer 503 naming the provider to configure.
 */
import type { ProviderInput } from "./types.js";

type ShippedProvider = Required<Pick<ProviderInput, "name" | "protocol" | "base_url" | "collects_data" | "price_database_id">> &
  Pick<ProviderInput, "author" | "extra_parameters" | "text_completions">;

/**
 * OpenAI's own Chat Completions fields beyond the protocol default
 * (https://platform.openai.com/docs/api-reference/chat/create): `max_completion_tokens` (its
 * reasoning models refuse `max_tokens`, every model takes this), `reasoning_effort`, `verbosity`,
 * `service_tier`, `prediction` and `prompt_cache_key`. Each is sent only when the client set it;
 * a model that does not take one (reasoning_effort on a non-reasoning model) answers 400, which
 * reaches the client as that upstream's 4xx.
 */
const OPENAI_API_PARAMETERS = ["max_completion_tokens", "reasoning_effort", "verbosity", "service_tier", "prediction", "prompt_cache_key", "user"];

/*
 * `text_completions`: the upstream continues a raw prompt at `{base}/completions` for every model
 * it serves: Together (https://docs.together.ai/reference/completions-1) and Fireworks
 * (https://docs.fireworks.ai/api-reference/post-completions). OpenAI's own `/v1/completions`
 * takes only its instruct models (its chat models answer 404 there), so it stays off; Groq,
 * Mistral, xAI, DeepSeek and Moonshot publish chat only (DeepSeek's FIM lives under /beta).
 */
export const DEFAULT_PROVIDERS: Readonly<Record<string, ShippedProvider>> = {
  openai: { name: "OpenAI", protocol: "openai", base_url: "https://api.openai.com/v1", collects_data: false, price_database_id: "openai", author: "openai", extra_parameters: OPENAI_API_PARAMETERS },
  anthropic: { name: "Anthropic", protocol: "anthropic", base_url: "https://api.anthropic.com", collects_data: false, price_database_id: "anthropic", author: "anthropic" },
  google: {
    name: "Google AI Studio",
    protocol: "gemini",
    base_url: "https://generativelanguage.googleapis.com/v1beta",
    collects_data: false,
    price_database_id: "google",
    author: "google",
  },
  xai: { name: "xAI", protocol: "openai", base_url: "https://api.x.ai/v1", collects_data: false, price_database_id: "x-ai", author: "x-ai" },
  deepseek: { name: "DeepSeek", protocol: "openai", base_url: "https://api.deepseek.com/v1", collects_data: true, price_database_id: "deepseek", author: "deepseek" },
  mistral: { name: "Mistral", protocol: "openai", base_url: "https://api.mistral.ai/v1", collects_data: false, price_database_id: "mistral", author: "mistralai" },
  moonshotai: { name: "Moonshot AI", protocol: "openai", base_url: "https://api.moonshot.ai/v1", collects_data: false, price_database_id: "moonshotai", author: "moonshotai" },
  groq: { name: "Groq", protocol: "openai", base_url: "https://api.groq.com/openai/v1", collects_data: false, price_database_id: "groq" },
  together: { name: "Together", protocol: "openai", base_url: "https://api.together.xyz/v1", collects_data: false, price_database_id: "together", text_completions: true },
  fireworks: {
    name: "Fireworks",
    protocol: "openai",
    base_url: "https://api.fireworks.ai/inference/v1",
    collects_data: false,
    price_database_id: "fireworks",
    text_completions: true,
  },
};
