import type { z } from "zod";
import { badRequest } from "../domain/errors.js";

/**
 * Validates a request part against a zod schema; on failure a 400 lists every problem with its
 * path, e.g. `limit: expected number, received string`, and `metadata.param` names the first
 * field at fault (an unknown field's own name).
 */
export function parseInput<T extends z.ZodType>(schema: T, value: unknown, part = "body"): z.infer<T> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const path = issue.path.map(String).join(".");
    return path ? `${path}: ${issue.message}` : issue.message;
  });
  const first = result.error.issues[0];
  const param = first && (first.code === "unrecognized_keys" ? [...first.path, first.keys[0]] : first.path).map(String).join(".");
  throw badRequest(`Invalid ${part}: ${problems.join("; ")}`, { problems, ...(param ? { param } : {}) });
}
