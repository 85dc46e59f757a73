/**
 * A zod object parsed by the keys a body actually carries. zod's object parser runs every key of
 * its shape, absent ones included, allocating a result and an issue list for each: the chat body
 * declares ~40 optional fields of which a request sends a handful, and that cost 4.4 KB and
 * 1.2 µs per parse against ≈0.5 KB here (measured in process on the benchmark's body; see
 * bench/RESULTS.md, "Fourth pass"). Each present field is still validated by its own zod schema;
 * anything this path does not model (a required or defaulted key, object-level checks, a catchall,
 * a field that fails) is left to the full parse, which also writes every error message.
 */
import type { z } from "zod";

/** The internals read here (zod's `_zod` is its surface for library authors). */
interface ObjectInternals {
  def: { type: string; shape?: Record<string, z.ZodType>; catchall?: unknown; checks?: unknown[] };
}
interface FieldInternals {
  optin?: string;
  optout?: string;
}

const plans = new WeakMap<z.ZodType, ObjectPlan | null>();

interface ObjectPlan {
  /** The shape's keys in declaration order (zod's output follows it). */
  keys: readonly string[];
  shape: Readonly<Record<string, z.ZodType>>;
}

/**
 * Where every field is optional in and out (absent means absent in the output, whatever its schema
 * would make of undefined), an absent key contributes nothing to zod's result: the shape's plan.
 */
function planOf(schema: z.ZodType): ObjectPlan | null {
  let plan = plans.get(schema);
  if (plan !== undefined) return plan;
  const { def } = (schema as unknown as { _zod: ObjectInternals })._zod;
  const shape = def.shape;
  const keys = shape ? Object.keys(shape) : [];
  const sparse =
    def.type === "object" &&
    shape !== undefined &&
    def.catchall === undefined &&
    (def.checks?.length ?? 0) === 0 &&
    keys.every((key) => {
      const field = (shape[key] as unknown as { _zod: FieldInternals })._zod;
      return key !== "__proto__" && field.optin === "optional" && field.optout === "optional";
    });
  plan = sparse ? { keys, shape } : null;
  plans.set(schema, plan);
  return plan;
}

/**
 * `schema.safeParse(body)`'s data when it succeeds on the fields `body` carries; undefined when the
 * schema is not such an object or a field fails (the caller then runs the full parse).
 */
export function parsePresentKeys<T extends z.ZodType>(schema: T, body: object): { data: z.output<T> } | undefined {
  const plan = planOf(schema);
  if (plan === null) return undefined;
  const input = body as Record<string, unknown>;
  const output: Record<string, unknown> = {};
  for (const key of plan.keys) {
    if (!(key in input)) continue;
    const parsed = plan.shape[key]!.safeParse(input[key]);
    if (!parsed.success) return undefined;
    output[key] = parsed.data;
  }
  return { data: output as z.output<T> };
}
