/**
 * The sampling fields Chat Completions shares with the legacy Completions endpoint: read the same
 * way by the Completions translator (formats/completions) and sent as they are by the
 * OpenAI-compatible adapter, to chat and to raw-prompt upstreams alike.
 */
export const SAMPLING_FIELDS = [
  "temperature",
  "top_p",
  "top_k",
  "min_p",
  "top_a",
  "frequency_penalty",
  "presence_penalty",
  "repetition_penalty",
  "stop",
  "seed",
  "logit_bias",
] as const;
