/**
 * Generation records as the JSON text the INSERT reads (generation-rows.ts): an array of rows,
 * each row a copy of its record with every value made storable (the rules of
 * storable-generation.ts, so no record, whoever built it, can make the statement fail), bigints
 * as decimal strings and a Date as its ISO string.
 *
 * Text is checked on the JSON of the whole batch rather than string by string, and Dates are
 * written before JSON.stringify sees them: it stays on its fast path (a Date's toJSON call takes
 * it off). A copy of each record made storable, then JSON.stringify, had cost 4.6-4.8 µs per record
 * in a batch of 50; this 2.9-3.0 µs (micro-benchmark on the 2-core VM, a typical served record, the text
 * then read once as the driver does). Written column by column into one string it was 3.5 µs, but
 * allocated twice the bytes (a rope of ≈70 pieces per row).
 */
import { getTableColumns } from "drizzle-orm";
import { generations } from "../db/schema/generations.js";
import { replaceUnstorable, storableJson } from "../domain/storable-text.js";
import type { GenerationRecord } from "./ports.js";
import { storableBigint, storableInteger } from "./storable-generation.js";

const columns = Object.entries(getTableColumns(generations)).map(([key, column]) => ({ key, type: column.getSQLType() }));
/** The columns whose values need more than a check of the text: numbers clamped, bigints and Dates written. */
const numberOrTimeColumns = columns.filter(({ type }) => type === "integer" || type === "bigint" || type.startsWith("timestamp"));

/**
 * The JSON array of `records`' rows. Text is checked once, on the whole array's JSON: NUL and a
 * lone surrogate are written as `\u` escapes, so text without one held nothing to repair in any
 * string (keys and jsonb included) and each row needs only its numbers and Dates seen to. Text
 * with one (unstorable, or only a control character or a `\u` typed in) is written again, every
 * value made storable.
 */
export function generationsJson(records: readonly GenerationRecord[]): string {
  const text = JSON.stringify(records.map((record) => row(record, numberOrTimeColumns)));
  return text.includes("\\u") ? JSON.stringify(records.map((record) => row(record, columns))) : text;
}

/** A copy of `record` with the values of the columns `of` storable and JSON-ready. */
function row(record: GenerationRecord, of: readonly { key: string; type: string }[]): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...record };
  for (const { key, type } of of) {
    const value = copy[key];
    const stored = jsonReady(value, type);
    if (stored !== value) copy[key] = stored;
  }
  return copy;
}

/** `value` storable in a column of `type`, as JSON.stringify should write it. */
function jsonReady(value: unknown, type: string): unknown {
  switch (typeof value) {
    case "string":
      return replaceUnstorable(value);
    case "number":
      return type === "integer" ? storableInteger(value) : value;
    case "bigint":
      return storableBigint(value).toString();
    case "object":
      if (type === "jsonb") return storableJson(value);
      return value instanceof Date ? isoString(value) : value;
    default:
      return value;
  }
}

// A Date's ISO string: its second's part kept from the last call (a batch's records mostly share
// it), its milliseconds' part from a table. toISOString cost 0.43 µs per call.
const MILLIS = Array.from({ length: 1000 }, (_, ms) => `${String(ms).padStart(3, "0")}Z`);
let cachedSecond = Number.NaN;
let cachedPrefix = "";

/** What the Date's toJSON gives: its ISO string, null for an invalid Date. */
function isoString(date: Date): string | null {
  const ms = date.getTime();
  if (!Number.isFinite(ms)) return null;
  const second = Math.floor(ms / 1000);
  if (second !== cachedSecond) {
    // the last four characters of an ISO string are always the milliseconds and "Z"
    cachedPrefix = date.toISOString().slice(0, -4);
    cachedSecond = second;
  }
  return cachedPrefix + (MILLIS[ms - second * 1000] as string);
}
