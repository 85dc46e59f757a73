/**
 * The request parameters this adapter sends to an OpenAI-compatible server when an endpoint does
 * not list its own: the Chat Completions fields every OpenAI-shaped server (OpenAI, Groq, vLLM,
 * Ollama, llama.cpp, ...) accepts. Vendor extensions (top_k, min_p, repetition_penalty, reasoning)
 * are sent only to endpoints whose `supported_parameters` name them.
 */
export const OPENAI_COMPATIBLE_PARAMETERS: readonly string[] = [
  "max_tokens",
  "temperature",
  "top_p",
  "stop",
  "seed",
  "frequency_penalty",
  "presence_penalty",
  "logit_bias",
  "logprobs",
  "top_logprobs",
  "tools",
  "tool_choice",
  "parallel_tool_calls",
  "response_format",
  "structured_outputs",
];
