/**
 * The request parameters the Gemini adapter translates into a generateContent body (Gemini has no
 * switch for parallel tool calls); the default `supported_parameters` of a Gemini endpoint.
 */
export const GEMINI_PARAMETERS: readonly string[] = [
  "max_tokens",
  "max_completion_tokens",
  "temperature",
  "top_p",
  "stop",
  "seed",
  "frequency_penalty",
  "presence_penalty",
  "tools",
  "tool_choice",
  "response_format",
  "structured_outputs",
  "reasoning",
];
