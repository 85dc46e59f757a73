/**
 * Text Postgres can store. A `text` value cannot hold U+0000, and neither `text` nor `jsonb`
 * accepts a lone UTF-16 surrogate (JSON.stringify writes it as a `\ud800` escape, which jsonb
 * refuses, and a driver's UTF-8 encoder turns it into garbage): either one makes a write fail
 * after the work is done (for a chat request: after the upstream answered).
 *
 * Two uses, one rule: at the HTTP edge such text is refused with a 400 (`storableText()`, a zod
 * string for every client string that may be written to or looked up in the database); at a
 * write boundary, whatever reached it through a path that did not refuse it is repaired
 * (`replaceUnstorable`, `storableJson`), so one odd string never fails a write and whatever
 * shares its statement.
 */
import { z } from "zod";

/** NUL, or a UTF-16 surrogate that is not half of a pair (`u` mode reads a pair as one code point). */
// eslint-disable-next-line no-control-regex -- NUL is exactly what this looks for
const UNSTORABLE = /\u0000|\p{Cs}/u;
const UNSTORABLE_ALL = new RegExp(UNSTORABLE.source, "gu");

/**
 * Whether Postgres can store `value` as text: no NUL and no unpaired surrogate. The same answer as
 * testing UNSTORABLE, without the regular expression: `isWellFormed` answers a one-byte string
 * without reading it, and `indexOf` finds a NUL natively. Every string of every generation record
 * goes through here twice (≈15 per record): 37 ns per string with the expression, 15 without
 * (micro-benchmark on the 2-core VM, typical ids, model names and short Unicode text).
 */
export function isStorableText(value: string): boolean {
  return value.indexOf("\u0000") === -1 && value.isWellFormed();
}

/** The message every refused string carries. */
export const UNSTORABLE_TEXT_MESSAGE = "must not contain NUL characters or unpaired UTF-16 surrogates";

/** A zod string that Postgres can store (use it with its own `.min`/`.max`). */
export function storableText() {
  return z.string().refine(isStorableText, UNSTORABLE_TEXT_MESSAGE);
}

/** `text` with NUL and lone surrogates replaced by U+FFFD (the same string when it has none). */
export function replaceUnstorable(text: string): string {
  return isStorableText(text) ? text : text.replace(UNSTORABLE_ALL, "\uFFFD");
}

/**
 * A JSON value whose every string (keys included) is storable; the same value when it already is.
 * Every generation record goes through it (twice): the common case, nothing to repair, is checked
 * first without building a copy.
 */
export function storableJson(value: unknown): unknown {
  return isStorableJson(value) ? value : repairedJson(value);
}

function isStorableJson(value: unknown): boolean {
  if (typeof value === "string") return isStorableText(value);
  if (Array.isArray(value)) {
    for (const item of value) if (!isStorableJson(item)) return false;
    return true;
  }
  if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    for (const key in value) if (!isStorableText(key) || !isStorableJson((value as Record<string, unknown>)[key])) return false;
  }
  return true;
}

function repairedJson(value: unknown): unknown {
  if (typeof value === "string") return replaceUnstorable(value);
  if (Array.isArray(value)) {
    const items = value.map(repairedJson);
    return items.some((item, index) => item !== value[index]) ? items : value;
  }
  if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    const entries = Object.entries(value);
    const stored = entries.map(([key, inner]) => [replaceUnstorable(key), repairedJson(inner)] as const);
    return stored.some(([key, inner], index) => key !== entries[index]?.[0] || inner !== entries[index]?.[1]) ? Object.fromEntries(stored) : value;
  }
  return value;
}
