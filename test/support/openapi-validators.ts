/**
 * An OpenAPI document's response schemas as ajv validators: for a fastify route pattern, the
 * schema the document gives for that path, method, status and media type. ajv compiles each one
 * on first use, so a test file pays only for the routes it calls. Used for OpenRouter's published
 * spec (openrouter-spec.ts) and for farebox's own document (/api/v1/openapi.json).
 */
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";

/** Formats OpenAPI names that JSON Schema does not define (number widths). */
const OPENAPI_FORMATS = ["double", "float", "int32", "int64"];

interface Operation {
  parameters?: { name: string; in: string; schema?: { enum?: unknown[] } }[];
  responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}

/** The part of an OpenAPI document read here. */
export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
}

const escapePointer = (part: string) => part.replace(/~/gu, "~0").replace(/\//gu, "~1");

export class OpenApiValidators {
  readonly ajv = new Ajv2020({ strict: false, allErrors: true, allowUnionTypes: true });
  private readonly patterns: Map<string, string>;
  private readonly validators = new Map<string, ValidateFunction | null>();

  /**
   * `toDocumentPath` turns a fastify route pattern into the form the document's paths take (or
   * undefined for a route the document cannot list); parameters match by position.
   */
  constructor(
    readonly spec: OpenApiDocument,
    private readonly id: string,
    private readonly toDocumentPath: (routeUrl: string) => string | undefined,
  ) {
    const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void;
    addFormats(this.ajv);
    for (const format of OPENAPI_FORMATS) this.ajv.addFormat(format, true);
    this.ajv.addSchema({ ...spec, $id: id } as object);
    this.patterns = new Map(Object.keys(spec.paths).map((path) => [path.replace(/\{\w+\}/gu, ":"), path]));
  }

  /** The document's path for a fastify route pattern (`/api/v1/keys/:hash`), or undefined. */
  pathFor(routeUrl: string): string | undefined {
    const path = this.toDocumentPath(routeUrl);
    return path === undefined ? undefined : this.patterns.get(path.replace(/:\w+/gu, ":"));
  }

  /** Whether every query parameter is one the document declares for the operation, with a value its enum allows. */
  isDeclaredQuery(path: string, method: string, query: Record<string, unknown>): boolean {
    const operation = this.spec.paths[path]?.[method.toLowerCase()];
    const declared = new Map((operation?.parameters ?? []).filter((parameter) => parameter.in === "query").map((parameter) => [parameter.name, parameter]));
    return Object.entries(query).every(([name, value]) => {
      const parameter = declared.get(name);
      return parameter !== undefined && (parameter.schema?.enum === undefined || parameter.schema.enum.includes(value));
    });
  }

  /**
   * The validator for a `mediaType` response of `path`/`method`/`status` (the `default` response
   * when the status is not listed and `useDefault`); null when the document gives none.
   */
  responseValidator(path: string, method: string, status: number, { mediaType = "application/json", useDefault = true } = {}): ValidateFunction | null {
    const key = `${method} ${path} ${status} ${mediaType}`;
    const known = this.validators.get(key);
    if (known !== undefined) return known;
    const operation = this.spec.paths[path]?.[method.toLowerCase()];
    const statusKey = operation?.responses?.[String(status)] ? String(status) : useDefault ? "default" : String(status);
    const found = operation?.responses?.[statusKey]?.content?.[mediaType]?.schema !== undefined;
    const pointer = ["paths", path, method.toLowerCase(), "responses", statusKey, "content", mediaType, "schema"].map(escapePointer).join("/");
    const validator = found ? this.ajv.compile({ $ref: `${this.id}#/${pointer}` }) : null;
    this.validators.set(key, validator);
    return validator;
  }
}
