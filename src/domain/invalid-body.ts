/**
 * Turns a zod failure on an inbound body into the 400 every wire format answers (chat and the
 * formats translated into it): the first problem,
 * naming its field (`Invalid messages.0.content.1.type: …`), the field's path in `metadata.param`.
 */
import type { z } from "zod";
import { badRequest, type AppError } from "./errors.js";
import { parsePresentKeys } from "./present-keys-parse.js";

/** The 400 for a body that failed `schema.safeParse`. */
export function invalidBody(error: z.ZodError): AppError {
  const first = error.issues[0];
  const issue = first === undefined ? undefined : innermost(first);
  const path = (issue?.path ?? []).join(".");
  return badRequest(`Invalid ${path || "request"}: ${issue?.message ?? "invalid value"}`, { param: path });
}

type Issue = { code: string; path: PropertyKey[]; message: string; errors?: Issue[][] };

/**
 * A union's failure told by the branch the value got furthest in (an array of blocks with one
 * bad block names that block, not "expected string"), its path made whole.
 */
function innermost(issue: Issue): Issue {
  if (issue.code !== "invalid_union" || !issue.errors) return issue;
  const past = issue.errors.find((branch) => branch[0] !== undefined && !(branch[0].code === "invalid_type" && branch[0].path.length === 0));
  const inner = past?.[0];
  return inner === undefined ? issue : innermost({ ...inner, path: [...issue.path, ...inner.path] });
}

/** Parses a JSON body with `schema`, or throws the 400 (a body that is not an object is named as such). */
export function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  if (body === null || typeof body !== "object" || Array.isArray(body)) throw badRequest("The request body must be a JSON object.");
  const present = parsePresentKeys(schema, body);
  if (present) return present.data;
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw invalidBody(parsed.error);
  return parsed.data;
}
