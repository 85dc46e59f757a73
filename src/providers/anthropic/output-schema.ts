/**
 * A client's JSON Schema in the subset Anthropic's structured outputs compile
 * (https://platform.claude.com/docs/en/build-with-claude/structured-outputs, "JSON Schema
 * limitations"): every object closed with `additionalProperties: false`, and no numeric, length
 * or item-count constraints. Closing an object only narrows what the model may produce, so the
 * answer still satisfies the client's schema; dropped constraints are kept in the description,
 * as Anthropic's own SDKs do, so the model still follows them.
 */

type Schema = Record<string, unknown>;

const UNSUPPORTED = ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minLength", "maxLength", "maxItems", "uniqueItems", "minProperties", "maxProperties"];
const SCHEMA_MAPS = ["properties", "$defs", "definitions", "patternProperties"];
const SCHEMA_LISTS = ["anyOf", "allOf", "oneOf", "prefixItems"];
const SCHEMA_VALUES = ["items", "not", "if", "then", "else", "contains"];

const isSchema = (value: unknown): value is Schema => typeof value === "object" && value !== null && !Array.isArray(value);

/** The schema rewritten for `output_config.format`; the input is not modified. */
export function anthropicOutputSchema(schema: Schema): Schema {
  const out: Schema = {};
  const notes: string[] = [];
  for (const [key, value] of Object.entries(schema)) {
    if (UNSUPPORTED.includes(key) || (key === "minItems" && typeof value === "number" && value > 1)) {
      notes.push(`${key}: ${JSON.stringify(value)}`);
    } else if (SCHEMA_MAPS.includes(key) && isSchema(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([name, inner]) => [name, isSchema(inner) ? anthropicOutputSchema(inner) : inner]));
    } else if (SCHEMA_LISTS.includes(key) && Array.isArray(value)) {
      out[key] = value.map((inner) => (isSchema(inner) ? anthropicOutputSchema(inner) : inner));
    } else if (SCHEMA_VALUES.includes(key) && isSchema(value)) {
      out[key] = anthropicOutputSchema(value);
    } else {
      out[key] = value;
    }
  }
  const isObject = schema.type === "object" || (Array.isArray(schema.type) && schema.type.includes("object")) || isSchema(schema.properties);
  if (isObject) out.additionalProperties = false;
  if (notes.length > 0) {
    const constraint = `Constraints: ${notes.join(", ")}`;
    out.description = typeof schema.description === "string" && schema.description !== "" ? `${schema.description}\n\n${constraint}` : constraint;
  }
  return out;
}
