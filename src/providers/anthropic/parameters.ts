/**
 * The request parameters the Anthropic adapter translates into a Messages API body (Claude has
 * top_k but no seed or penalties); the default `supported_parameters` of an Anthropic endpoint.
 */
export const ANTHROPIC_PARAMETERS: readonly string[] = [
  "max_tokens",
  "max_completion_tokens",
  "temperature",
  "top_p",
  "top_k",
  "stop",
  "tools",
  "tool_choice",
  "parallel_tool_calls",
  "response_format",
  "structured_outputs",
  "reasoning",
];
