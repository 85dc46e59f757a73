/**
 * The shipped catalog: current models at their providers' public list prices.
 *
 * Prices are written here in USD per million tokens (as price pages show them) and turned into
 * OpenRouter's USD-per-token strings exactly by `perMillion`. Every endpoint names its price page
 * and the date this table was compiled (`price_checked`). OpenAI, Anthropic and Groq's Llama 3.3
 * prices were cross-checked that day against published price tables; the others are the list
 * prices as last published by their pages and should be re-verified before relying on them.
 * Operators override any price in the config file. Long-context surcharges (Gemini 2.5 Pro above 200K prompt
 * tokens) are avoided by capping that endpoint's context at the cheaper tier's limit, so a
 * request is never served at a price higher than the one billed.
 */
import { nanoPerMillionToUsdPerToken, usdPerMillionToNanoPerMillion } from "../domain/money.js";
import type { EndpointInput, ModelInput, PricingInput } from "./types.js";

const CHECKED = "2026-11-23";
const SOURCES = {
  openai: "https://platform.openai.com/docs/pricing",
  anthropic: "https://platform.claude.com/docs/en/about-claude/pricing",
  google: "https://ai.google.dev/gemini-api/docs/pricing",
  xai: "https://docs.x.ai/docs/models",
  deepseek: "https://api-docs.deepseek.com/quick_start/pricing",
  mistral: "https://mistral.ai/pricing#api-pricing",
  groq: "https://groq.com/pricing",
  together: "https://www.together.ai/pricing",
  fireworks: "https://fireworks.ai/pricing",
} as const;

type Slug = keyof typeof SOURCES;

/** "2.50" USD per million tokens → "0.0000025" USD per token, exactly. */
function perMillion(usdPerMillion: string): string {
  return nanoPerMillionToUsdPerToken(usdPerMillionToNanoPerMillion(usdPerMillion));
}

function price(prompt: string, completion: string, cacheRead?: string, cacheWrite?: string): PricingInput {
  return {
    prompt: perMillion(prompt),
    completion: perMillion(completion),
    ...(cacheRead === undefined ? {} : { input_cache_read: perMillion(cacheRead) }),
    ...(cacheWrite === undefined ? {} : { input_cache_write: perMillion(cacheWrite) }),
  };
}

function at(provider: Slug, model: string, pricing: PricingInput, extra: Partial<EndpointInput> = {}): EndpointInput {
  return { provider, model, pricing, price_source: SOURCES[provider], price_checked: CHECKED, ...extra };
}

const SAMPLING = ["temperature", "top_p", "stop", "seed", "max_tokens", "max_completion_tokens", "frequency_penalty", "presence_penalty"];
const TOOLS = ["tools", "tool_choice", "parallel_tool_calls"];
const STRUCTURED = ["response_format", "structured_outputs"];
// include_reasoning (a legacy OpenRouter switch) is not read by the chat API, so no model claims it.
const REASONING = ["reasoning"];
const FULL = [...SAMPLING, ...TOOLS, ...STRUCTURED];
const REASONER = ["max_tokens", "max_completion_tokens", "seed", "stop", ...TOOLS, ...STRUCTURED, ...REASONING];
/** What the Anthropic adapter sends: Claude has top_k but no seed or penalties. */
const CLAUDE = ["temperature", "top_p", "top_k", "stop", "max_tokens", "max_completion_tokens", ...TOOLS, ...STRUCTURED, ...REASONING];
/** What the Gemini adapter sends: Gemini has no switch for parallel tool calls. */
const GEMINI = [...SAMPLING, "tools", "tool_choice", ...STRUCTURED];
/** OpenAI's own API takes the reasoning effort as `reasoning_effort`, not OpenRouter's object. */
const OPENAI_REASONER = [...REASONER, "reasoning_effort", "logprobs", "top_logprobs", "verbosity", "service_tier"];
const OPENAI_FULL = [...FULL, "logprobs", "top_logprobs", "prediction", "service_tier"];
const VISION: ModelInput["input_modalities"] = ["text", "image"];
/** Reads PDFs too (Anthropic document blocks, OpenAI file parts). */
const DOCUMENTS: ModelInput["input_modalities"] = ["text", "image", "file"];
/** Reads PDFs and audio (Gemini inline data). */
const MULTIMODAL: ModelInput["input_modalities"] = ["text", "image", "file", "audio"];

export const DEFAULT_MODELS: readonly ModelInput[] = [
  // OpenAI
  { id: "openai/gpt-5", name: "OpenAI: GPT-5", context_length: 400_000, max_completion_tokens: 128_000, input_modalities: DOCUMENTS, supported_parameters: OPENAI_REASONER,
    endpoints: [at("openai", "gpt-5", price("1.25", "10", "0.125"))] },
  { id: "openai/gpt-5-mini", name: "OpenAI: GPT-5 Mini", context_length: 400_000, max_completion_tokens: 128_000, input_modalities: DOCUMENTS, supported_parameters: OPENAI_REASONER,
    endpoints: [at("openai", "gpt-5-mini", price("0.25", "2", "0.025"))] },
  { id: "openai/gpt-5-nano", name: "OpenAI: GPT-5 Nano", context_length: 400_000, max_completion_tokens: 128_000, input_modalities: DOCUMENTS, supported_parameters: OPENAI_REASONER,
    endpoints: [at("openai", "gpt-5-nano", price("0.05", "0.40", "0.005"))] },
  { id: "openai/gpt-4.1", name: "OpenAI: GPT-4.1", context_length: 1_047_576, max_completion_tokens: 32_768, input_modalities: DOCUMENTS, supported_parameters: OPENAI_FULL,
    endpoints: [at("openai", "gpt-4.1", price("2", "8", "0.50"))] },
  { id: "openai/gpt-4.1-mini", name: "OpenAI: GPT-4.1 Mini", context_length: 1_047_576, max_completion_tokens: 32_768, input_modalities: DOCUMENTS, supported_parameters: OPENAI_FULL,
    endpoints: [at("openai", "gpt-4.1-mini", price("0.40", "1.60", "0.10"))] },
  { id: "openai/gpt-4o", name: "OpenAI: GPT-4o", context_length: 128_000, max_completion_tokens: 16_384, input_modalities: DOCUMENTS, supported_parameters: OPENAI_FULL,
    endpoints: [at("openai", "gpt-4o", price("2.50", "10", "1.25"))] },
  { id: "openai/gpt-4o-mini", name: "OpenAI: GPT-4o-mini", context_length: 128_000, max_completion_tokens: 16_384, input_modalities: DOCUMENTS, supported_parameters: OPENAI_FULL,
    endpoints: [at("openai", "gpt-4o-mini", price("0.15", "0.60", "0.075"))] },
  { id: "openai/gpt-oss-120b", name: "OpenAI: gpt-oss-120b", context_length: 131_072, max_completion_tokens: 32_768, supported_parameters: [...SAMPLING, ...TOOLS, ...STRUCTURED, ...REASONING],
    endpoints: [
      at("groq", "openai/gpt-oss-120b", price("0.15", "0.75"), { max_completion_tokens: 65_536 }),
      at("together", "openai/gpt-oss-120b", price("0.15", "0.60")),
      at("fireworks", "accounts/fireworks/models/gpt-oss-120b", price("0.15", "0.60")),
    ] },
  // Anthropic
  { id: "anthropic/claude-opus-4.6", name: "Anthropic: Claude Opus 4.6", context_length: 200_000, max_completion_tokens: 64_000, input_modalities: DOCUMENTS, supported_parameters: CLAUDE,
    endpoints: [at("anthropic", "claude-opus-4-6", price("5", "25", "0.50", "6.25"))] },
  { id: "anthropic/claude-sonnet-4.6", name: "Anthropic: Claude Sonnet 4.6", context_length: 200_000, max_completion_tokens: 64_000, input_modalities: DOCUMENTS, supported_parameters: CLAUDE,
    endpoints: [at("anthropic", "claude-sonnet-4-6", price("3", "15", "0.30", "3.75"))] },
  { id: "anthropic/claude-sonnet-4.5", name: "Anthropic: Claude Sonnet 4.5", context_length: 200_000, max_completion_tokens: 64_000, input_modalities: DOCUMENTS, supported_parameters: CLAUDE,
    endpoints: [at("anthropic", "claude-sonnet-4-5", price("3", "15", "0.30", "3.75"))] },
  { id: "anthropic/claude-haiku-4.5", name: "Anthropic: Claude Haiku 4.5", context_length: 200_000, max_completion_tokens: 64_000, input_modalities: DOCUMENTS, supported_parameters: CLAUDE,
    endpoints: [at("anthropic", "claude-haiku-4-5", price("1", "5", "0.10", "1.25"))] },
  // Google
  { id: "google/gemini-2.5-pro", name: "Google: Gemini 2.5 Pro", context_length: 200_000, max_completion_tokens: 65_536, input_modalities: MULTIMODAL, supported_parameters: [...GEMINI, ...REASONING],
    endpoints: [at("google", "gemini-2.5-pro", price("1.25", "10", "0.125"))] },
  { id: "google/gemini-2.5-flash", name: "Google: Gemini 2.5 Flash", context_length: 1_048_576, max_completion_tokens: 65_536, input_modalities: MULTIMODAL, supported_parameters: [...GEMINI, ...REASONING],
    endpoints: [at("google", "gemini-2.5-flash", price("0.30", "2.50", "0.03"))] },
  { id: "google/gemini-2.5-flash-lite", name: "Google: Gemini 2.5 Flash Lite", context_length: 1_048_576, max_completion_tokens: 65_536, input_modalities: MULTIMODAL, supported_parameters: GEMINI,
    endpoints: [at("google", "gemini-2.5-flash-lite", price("0.10", "0.40", "0.01"))] },
  // xAI
  { id: "x-ai/grok-4", name: "xAI: Grok 4", context_length: 256_000, max_completion_tokens: 64_000, input_modalities: VISION, supported_parameters: REASONER,
    endpoints: [at("xai", "grok-4", price("3", "15", "0.75"))] },
  { id: "x-ai/grok-3-mini", name: "xAI: Grok 3 Mini", context_length: 131_072, max_completion_tokens: 32_768, supported_parameters: [...FULL, ...REASONING],
    endpoints: [at("xai", "grok-3-mini", price("0.30", "0.50", "0.075"))] },
  // DeepSeek
  { id: "deepseek/deepseek-chat", name: "DeepSeek: DeepSeek V3.2", context_length: 128_000, max_completion_tokens: 8_192, supported_parameters: FULL,
    endpoints: [at("deepseek", "deepseek-chat", price("0.28", "0.42", "0.028"))] },
  { id: "deepseek/deepseek-reasoner", name: "DeepSeek: DeepSeek V3.2 (thinking)", context_length: 128_000, max_completion_tokens: 64_000, supported_parameters: [...TOOLS, ...STRUCTURED, "max_tokens", "stop"],
    endpoints: [at("deepseek", "deepseek-reasoner", price("0.28", "0.42", "0.028"))] },
  // Mistral
  { id: "mistralai/mistral-medium-3.1", name: "Mistral: Mistral Medium 3.1", context_length: 131_072, max_completion_tokens: 32_768, input_modalities: VISION, supported_parameters: FULL,
    endpoints: [at("mistral", "mistral-medium-latest", price("0.40", "2"))] },
  { id: "mistralai/mistral-small-3.2", name: "Mistral: Mistral Small 3.2", context_length: 131_072, max_completion_tokens: 32_768, input_modalities: VISION, supported_parameters: FULL,
    endpoints: [at("mistral", "mistral-small-latest", price("0.10", "0.30"))] },
  // Open-weight models on Groq / Together / Fireworks
  { id: "meta-llama/llama-3.3-70b-instruct", name: "Meta: Llama 3.3 70B Instruct", context_length: 131_072, max_completion_tokens: 32_768, supported_parameters: FULL,
    endpoints: [
      at("groq", "llama-3.3-70b-versatile", price("0.59", "0.79")),
      at("together", "meta-llama/Llama-3.3-70B-Instruct-Turbo", price("0.88", "0.88"), { quantization: "fp8" }),
      at("fireworks", "accounts/fireworks/models/llama-v3p3-70b-instruct", price("0.90", "0.90")),
    ] },
  { id: "meta-llama/llama-3.1-8b-instruct", name: "Meta: Llama 3.1 8B Instruct", context_length: 131_072, max_completion_tokens: 8_192, supported_parameters: FULL,
    endpoints: [
      at("groq", "llama-3.1-8b-instant", price("0.05", "0.08")),
      at("together", "meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo", price("0.18", "0.18"), { quantization: "fp8" }),
      at("fireworks", "accounts/fireworks/models/llama-v3p1-8b-instruct", price("0.20", "0.20")),
    ] },
  { id: "qwen/qwen3-32b", name: "Qwen: Qwen3 32B", context_length: 131_072, max_completion_tokens: 40_960, supported_parameters: [...FULL, ...REASONING],
    endpoints: [at("groq", "qwen/qwen3-32b", price("0.29", "0.59"))] },
  { id: "moonshotai/kimi-k2", name: "MoonshotAI: Kimi K2 0905", context_length: 262_144, max_completion_tokens: 16_384, supported_parameters: FULL,
    endpoints: [
      at("groq", "moonshotai/kimi-k2-instruct-0905", price("1", "3")),
      at("together", "moonshotai/Kimi-K2-Instruct-0905", price("1", "3")),
      at("fireworks", "accounts/fireworks/models/kimi-k2-instruct-0905", price("0.60", "2.50")),
    ] },
];
