import { join } from "node:path";

/** OpenRouter's published OpenAPI document, as copied from OpenRouterTeam/docs (see its header). */
export const OPENROUTER_SPEC_YAML = join(import.meta.dirname, "openrouter/openapi.yaml");
