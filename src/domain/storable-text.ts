/**
 * Text a client sends that may reach the database (names, reasons, end-user ids, idempotency keys,
 * ids in paths and queries). Postgres `text` cannot hold a NUL character, and a lone UTF-16
 * surrogate cannot be encoded as UTF-8: either one makes the write fail after the work is done
 * (for a chat request: after the upstream answered, leaving it unbilled). Such text is refused
 * up front with a 400 instead, through the one schema below.
 */
import { z } from "zod";

/** A UTF-16 surrogate that is not half of a pair (`u` mode reads a pair as one code point). */
const LONE_SURROGATE = /\p{Cs}/u;

/** Whether Postgres can store `value` as text: no NUL and no unpaired surrogate. */
export function isStorableText(value: string): boolean {
  return !value.includes("\u0000") && !LONE_SURROGATE.test(value);
}

/** The message every refused string carries. */
export const UNSTORABLE_TEXT_MESSAGE = "must not contain NUL characters or unpaired UTF-16 surrogates";

/**
 * A zod string that Postgres can store: use it (with its own `.min`/`.max`) for every client
 * string that may be written to or looked up in the database.
 */
export function storableText() {
  return z.string().refine(isStorableText, UNSTORABLE_TEXT_MESSAGE);
}
