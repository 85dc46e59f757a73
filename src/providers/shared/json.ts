/** Small readers for untyped JSON from upstreams: no casts scattered through adapters. */

/** A JSON object, or undefined. */
export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** A string, or undefined. */
export function asString(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** A finite non-negative integer count, or 0. */
export function asCount(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) && value >= 0 ? Math.floor(value) : 0;
}

/**
 * A token count an upstream reported: absent (undefined or null) is 0, a finite non-negative
 * number is floored, and anything else (negative, a string, Infinity) is NaN, so the gateway can
 * tell a count that is no count from a zero and bill an estimate instead (gateway/billed-usage.ts).
 */
export function asTokenCount(value: unknown): number {
  if (value === undefined || value === null) return 0;
  return typeof value === "number" && Number.isFinite(value) && value >= 0 ? Math.floor(value) : Number.NaN;
}

/** An array, or an empty one. */
export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** A base URL joined with a path, without doubled slashes. */
export function joinUrl(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, "")}/${path.replace(/^\/+/, "")}`;
}

/** Whether an endpoint accepts `name` (no list means it accepts everything). */
export function accepts(supported: readonly string[] | undefined, name: string): boolean {
  return supported === undefined || supported.includes(name);
}

/** Text of a string or an array of text parts. */
export function textOf(content: string | readonly { type: string; text?: string }[] | null | undefined): string {
  if (content === null || content === undefined) return "";
  if (typeof content === "string") return content;
  return content.map((part) => (part.type === "text" ? (part.text ?? "") : "")).join("");
}
