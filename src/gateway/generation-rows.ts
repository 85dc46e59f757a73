/**
 * Generation records as one JSON parameter of a statement whose text never changes: a batch of
 * any size is inserted by the same prepared statement, and building it costs one JSON.stringify
 * instead of an ORM pass over every value. The column list and types come from the drizzle
 * table, so a new column needs no change here.
 *
 * Each record is made storable first (storable-generation.ts): no value can fail the statement.
 */
import { getTableColumns, sql, type SQL } from "drizzle-orm";
import { generations } from "../db/schema/generations.js";
import type { GenerationRecord } from "./ports.js";
import { storableGeneration } from "./storable-generation.js";

const columns = Object.entries(getTableColumns(generations)).map(([key, column]) => ({
  key: key as keyof GenerationRecord,
  name: column.name,
  type: column.getSQLType(),
}));
const names = sql.raw(columns.map((column) => `"${column.name}"`).join(", "));
const recordset = sql.raw(columns.map((column) => `"${column.name}" ${column.type}`).join(", "));

/** One INSERT of every record (a record already stored is left as it is). */
export function insertGenerations(records: readonly GenerationRecord[]): SQL {
  const rows = records.map((record) => {
    const stored = storableGeneration(record);
    const row: Record<string, unknown> = {};
    for (const column of columns) {
      const value = stored[column.key];
      row[column.name] = typeof value === "bigint" ? value.toString() : value instanceof Date ? value.toISOString() : value;
    }
    return row;
  });
  return sql`insert into ${generations} (${names})
    select ${names} from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(${recordset})
    on conflict do nothing`;
}
