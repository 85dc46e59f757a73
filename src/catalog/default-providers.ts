/**
 * Upstreams the shipped catalog refers to. None has a key: the operator supplies keys in the
 * config file (`providers.<slug>.api_key: "${OPENAI_API_KEY}"`); until then their models are
 * listed but answer 503 naming the provider to configure.
 */
import type { ProviderInput } from "./types.js";

export const DEFAULT_PROVIDERS: Readonly<Record<string, Required<Omit<ProviderInput, "api_key" | "data_collection" | "headers">>>> = {
  openai: { name: "OpenAI", protocol: "openai", base_url: "https://api.openai.com/v1", collects_data: false },
  anthropic: { name: "Anthropic", protocol: "anthropic", base_url: "https://api.anthropic.com", collects_data: false },
  google: {
    name: "Google AI Studio",
    protocol: "gemini",
    base_url: "https://generativelanguage.googleapis.com/v1beta",
    collects_data: false,
  },
  xai: { name: "xAI", protocol: "openai", base_url: "https://api.x.ai/v1", collects_data: false },
  deepseek: { name: "DeepSeek", protocol: "openai", base_url: "https://api.deepseek.com/v1", collects_data: true },
  mistral: { name: "Mistral", protocol: "openai", base_url: "https://api.mistral.ai/v1", collects_data: false },
  groq: { name: "Groq", protocol: "openai", base_url: "https://api.groq.com/openai/v1", collects_data: false },
  together: { name: "Together", protocol: "openai", base_url: "https://api.together.xyz/v1", collects_data: false },
  fireworks: {
    name: "Fireworks",
    protocol: "openai",
    base_url: "https://api.fireworks.ai/inference/v1",
    collects_data: false,
  },
};
