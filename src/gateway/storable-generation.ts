/**
 * A generation record that can always be stored. Text loses NUL and lone surrogates
 * (domain/storable-text.ts), and a number beyond its column's range (an upstream reporting 1e15 or
 * 1e300 tokens) becomes the column's largest value. The record is made storable where it is
 * built, so the client's lookup, the rollups and the database all see the same figures, and
 * again where it is written (generation-json.ts, by the same rules), so no record reaching the
 * store can make its statement fail. The charge does not depend on it: it is computed before,
 * from the true figures.
 */
import { getTableColumns } from "drizzle-orm";
import { generations } from "../db/schema/generations.js";
import { replaceUnstorable, storableJson } from "../domain/storable-text.js";
import type { GenerationRecord } from "./ports.js";

const INT4_MAX = 2_147_483_647;
const INT8_MAX = 9_223_372_036_854_775_807n;

const columnTypes = Object.entries(getTableColumns(generations)).map(([key, column]) => [key as keyof GenerationRecord, column.getSQLType()] as const);

/** `record` with every value within what its column can hold (the same object when it already is). */
export function storableGeneration(record: GenerationRecord): GenerationRecord {
  let copy: Record<string, unknown> | undefined;
  for (const [key, type] of columnTypes) {
    const value = record[key];
    const stored = storable(value, type);
    if (stored !== value) (copy ??= { ...record })[key] = stored;
  }
  return (copy as GenerationRecord | undefined) ?? record;
}

/** A bigint within `bigint` (int8). */
export function storableBigint(value: bigint): bigint {
  return value > INT8_MAX ? INT8_MAX : value < -INT8_MAX ? -INT8_MAX : value;
}

/** A number within `integer` (int4): rounded, clamped, NaN as 0. */
export function storableInteger(value: number): number {
  if (Number.isInteger(value) && value <= INT4_MAX && value >= -INT4_MAX) return value;
  return Number.isNaN(value) ? 0 : Math.round(Math.min(Math.max(value, -INT4_MAX), INT4_MAX));
}

function storable(value: unknown, type: string): unknown {
  if (typeof value === "string") return replaceUnstorable(value);
  if (typeof value === "bigint") return storableBigint(value);
  if (typeof value === "number" && type === "integer") return storableInteger(value);
  if (type === "jsonb") return storableJson(value);
  return value;
}
