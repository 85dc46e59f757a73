/**
 * Text Postgres can store. A `text` value cannot hold U+0000, and neither `text` nor `jsonb`
 * accepts a lone UTF-16 surrogate (JSON.stringify writes it as a `\ud800` escape, which jsonb
 * refuses, and the UTF-8 encoder of a driver turns it into garbage). Whatever reaches a write
 * boundary through a path that did not refuse it has them replaced by U+FFFD, so one odd string
 * can never make a write (and whatever shares its statement) fail.
 */

// eslint-disable-next-line no-control-regex -- NUL is exactly what this looks for
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const UNSTORABLE_ALL = new RegExp(UNSTORABLE.source, "g");

/** `text` with NUL and lone surrogates replaced by U+FFFD (the same string when it has none). */
export function storableText(text: string): string {
  return UNSTORABLE.test(text) ? text.replace(UNSTORABLE_ALL, "\uFFFD") : text;
}

/** A JSON value whose every string (keys included) is storable; the same value when it already is. */
export function storableJson(value: unknown): unknown {
  if (typeof value === "string") return storableText(value);
  if (Array.isArray(value)) {
    const items = value.map(storableJson);
    return items.some((item, index) => item !== value[index]) ? items : value;
  }
  if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    const entries = Object.entries(value);
    const stored = entries.map(([key, inner]) => [storableText(key), storableJson(inner)] as const);
    return stored.some(([key, inner], index) => key !== entries[index]?.[0] || inner !== entries[index]?.[1]) ? Object.fromEntries(stored) : value;
  }
  return value;
}
