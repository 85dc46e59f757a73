import type { z } from "zod";
import { badRequest } from "../domain/errors.js";

/**
 * Validates a request part against a zod schema; on failure a 400 lists every problem with its
 * path, e.g. `limit: expected number, received string`.
 */
export function parseInput<T extends z.ZodType>(schema: T, value: unknown, part = "body"): z.infer<T> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const path = issue.path.map(String).join(".");
    return path ? `${path}: ${issue.message}` : issue.message;
  });
  throw badRequest(`Invalid ${part}: ${problems.join("; ")}`, { problems });
}
