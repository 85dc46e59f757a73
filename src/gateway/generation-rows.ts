/**
 * Generation records as one JSON parameter of a statement whose text never changes: a batch of
 * any size is inserted by the same prepared statement, and building it costs one JSON.stringify
 * instead of an ORM pass over every value. The column list and types come from the drizzle
 * table, so a new column needs no change here.
 *
 * Each value is made storable as its row is written (generation-json.ts): no value can fail the
 * statement.
 *
 * The parameter is `json`, not `jsonb`: json_to_recordset reads the text in one pass, while jsonb
 * first builds the whole binary document and then looks every column up in it. In batches of 25
 * (npm run bench:ledger, BENCH_LEDGER_BATCH=25) Postgres spent 0.084-0.088 ms per request with
 * json against 0.116-0.146 ms with jsonb.
 */
import { getTableColumns, sql, type SQL } from "drizzle-orm";
import { generations } from "../db/schema/generations.js";
import { generationsJson } from "./generation-json.js";
import type { GenerationRecord } from "./ports.js";

const columns = Object.entries(getTableColumns(generations)).map(([key, column]) => ({
  key: key as keyof GenerationRecord,
  name: column.name,
  type: column.getSQLType(),
}));
const names = sql.raw(columns.map((column) => `"${column.name}"`).join(", "));
// the JSON rows carry the record's own property names (generation-json.ts)
const keys = sql.raw(columns.map((column) => `"${column.key}"`).join(", "));
const recordset = sql.raw(columns.map((column) => `"${column.key}" ${column.type}`).join(", "));

/** One INSERT of every record (a record already stored is left as it is). */
export function insertGenerations(records: readonly GenerationRecord[]): SQL {
  return sql`insert into ${generations} (${names})
    select ${keys} from json_to_recordset(${generationsJson(records)}::json) as r(${recordset})
    on conflict do nothing`;
}
