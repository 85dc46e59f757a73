/**
 * OpenAI's `response_format` on the Anthropic Messages API, so the answer arrives as the
 * assistant's text holding the JSON, complete and streamed, as OpenAI clients expect.
 *
 * - `json_schema` on an endpoint that lists `structured_outputs`: Anthropic's structured outputs
 *   (`output_config.format`, https://platform.claude.com/docs/en/build-with-claude/structured-outputs):
 *   constrained decoding, the JSON comes back as ordinary text, and tools and thinking still work.
 * - `json_object` (or a schema on an endpoint without structured outputs): the forced-tool
 *   technique, a single tool whose input is the answer, chosen with `tool_choice`; the adapter
 *   turns that tool's input back into text. Anthropic guarantees tool input is a JSON object.
 * - When a tool cannot be forced (the client's own tools, thinking, an assistant prefill, or a
 *   schema whose root is not an object): an instruction in the system prompt, the best left.
 */
import type { ChatRequest } from "../spec.js";
import { accepts } from "../shared/json.js";
import { anthropicOutputSchema } from "./output-schema.js";

type Json = Record<string, unknown>;

/** How a request's response_format is carried to Anthropic. */
export type JsonOutputPlan =
  | { kind: "native"; outputConfig: Json }
  | { kind: "tool"; tool: Json; name: string }
  | { kind: "instruction"; text: string };

/** What else the request sends, which decides whether a tool may be forced. */
export interface JsonOutputSituation {
  supported: readonly string[] | undefined;
  sendsTools: boolean;
  thinking: boolean;
  prefill: boolean;
}

const OBJECT_TOOL = "json_object";
const OBJECT_INSTRUCTION = "Respond with a single valid JSON object and nothing else.";

/** The plan for a request's response_format, or undefined when it asks for plain text or the endpoint takes none. */
export function planJsonOutput(request: ChatRequest, situation: JsonOutputSituation): JsonOutputPlan | undefined {
  const format = request.response_format;
  if (!format || format.type === "text" || !accepts(situation.supported, "response_format")) return undefined;
  const schema = format.type === "json_schema" ? format.json_schema.schema : undefined;
  if (format.type === "json_schema" && schema !== undefined && accepts(situation.supported, "structured_outputs")) {
    return { kind: "native", outputConfig: { format: { type: "json_schema", schema: anthropicOutputSchema(schema) } } };
  }
  const canForce = !situation.sendsTools && !situation.thinking && !situation.prefill;
  if (format.type === "json_schema" && schema !== undefined) {
    const named = toolName(format.json_schema.name);
    const description = format.json_schema.description ?? "Give the answer as JSON matching this schema.";
    if (canForce && schema.type === "object") return { kind: "tool", name: named, tool: { name: named, description, input_schema: schema } };
    return { kind: "instruction", text: `Respond with valid JSON only, matching this JSON Schema:\n${JSON.stringify(schema)}` };
  }
  if (canForce) {
    return { kind: "tool", name: OBJECT_TOOL, tool: { name: OBJECT_TOOL, description: "Give the answer as a JSON object.", input_schema: { type: "object" } } };
  }
  return { kind: "instruction", text: OBJECT_INSTRUCTION };
}

/** Anthropic tool names match ^[a-zA-Z0-9_-]{1,64}$ (OpenAI's schema names do too, but unchecked). */
function toolName(name: string): string {
  const cleaned = name.replace(/[^a-zA-Z0-9_-]/g, "_").slice(0, 64);
  return cleaned === "" ? OBJECT_TOOL : cleaned;
}
