import { getTableColumns, sql } from "drizzle-orm";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/client.js";
import { generations } from "../../src/db/schema/generations.js";
import { generationsJson } from "../../src/gateway/generation-json.js";
import { insertGenerations } from "../../src/gateway/generation-rows.js";
import type { GenerationRecord } from "../../src/gateway/ports.js";
import { storableGeneration } from "../../src/gateway/storable-generation.js";
import { createTestDatabase, dbKinds, type TestDatabase } from "../support/db.js";

const columns = Object.entries(getTableColumns(generations)).map(([key, column]) => ({ key, name: column.name, type: column.getSQLType() }));

/** The rows' JSON as it was first written: a copy of each storable record, bigints as strings, one JSON.stringify. */
function copiedRowsJson(records: readonly GenerationRecord[]): string {
  const rows = records.map((record) => {
    const row: Record<string, unknown> = { ...storableGeneration(record) };
    for (const { key, type } of columns) if (type === "bigint" && typeof row[key] === "bigint") row[key] = (row[key] as bigint).toString();
    return row;
  });
  return JSON.stringify(rows);
}

/** Code units with NUL, control characters, quotes, backslashes, surrogate halves (paired or not) and `\u` often. */
const anyText = fc
  .array(
    fc.oneof(
      fc.constantFrom("\u0000", "\u001f", '"', "\\", "\\u0000", "\ud800", "\udfff", "\ud83d\ude00", "\u2028", "é", "a", "/"),
      fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit)),
    ),
    { maxLength: 8 },
  )
  .map((parts) => parts.join(""));
/**
 * Mostly text with nothing to repair (so that a batch often has none at all, or only one odd
 * string), sometimes a lone surrogate alone (no NUL nor control character beside it), NUL, or anything.
 */
const text = fc.oneof(
  { weight: 60, arbitrary: fc.constantFrom("", "a", "openai/gpt-4o-mini", "é", "\ud83d\ude00 ok", '"quoted"', "back\\slash", "\u2028", "line\nbreak") },
  { weight: 1, arbitrary: fc.constantFrom("\ud800", "a\udfffb", "\ude00\ud83d", "x\ud83d") },
  { weight: 1, arbitrary: fc.constantFrom("\u0000", "a\u0000b") },
  { weight: 1, arbitrary: anyText },
);
const number = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -0, 2_147_483_647, 2_147_483_648, -2_147_483_648, 1e15, 1e300, -1e300, 1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
);
const bigint = fc.oneof(fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }), fc.constantFrom(0n, 9_223_372_036_854_775_807n, 9_223_372_036_854_775_808n, -9_223_372_036_854_775_808n));
const attempt = fc.record({
  endpoint_id: text,
  provider: text,
  provider_name: text,
  model: text,
  status: fc.option(fc.integer({ min: 100, max: 599 })),
  error: fc.option(text),
  latency_ms: number,
}, { noNullPrototype: true });
const attempts = fc.oneof(fc.array(attempt, { maxLength: 3 }), fc.array(fc.dictionary(text, fc.oneof(text, number, fc.constant(null)), { noNullPrototype: true }), { maxLength: 2 }));
const date = fc.oneof(fc.date({ noInvalidDate: false }), fc.constantFrom(new Date(0), new Date(-1), new Date(253402300799999), new Date(253402300800000), new Date(-62167219200001)));

/** A record of any values its types allow (and some they do not: NaN, 1e300, 2^70), its columns in the table's order. */
const record = (nullable: <T>(value: fc.Arbitrary<T>) => fc.Arbitrary<T | null>) =>
  fc
    .tuple(
      fc.record({ id: text, accountId: text, keyId: nullable(text), requestedModel: text, model: nullable(text), provider: nullable(text) }),
      fc.record({ providerName: nullable(text), upstreamId: nullable(text), router: nullable(text), promptTokens: number, completionTokens: number, cachedTokens: number }),
      fc.record({ cacheWriteTokens: number, reasoningTokens: number, usageEstimated: fc.boolean(), upstreamCostNano: bigint, isByok: fc.boolean(), feeNano: bigint }),
      fc.record({ totalNano: bigint, holdNano: bigint, uncollectedNano: bigint, cacheDiscountNano: bigint, latencyMs: number, ttftMs: nullable(number) }),
      fc.record({ finishReason: nullable(text), nativeFinishReason: nullable(text), streamed: fc.boolean(), cancelled: fc.boolean(), errorStatus: nullable(number) }),
      fc.record({ errorMessage: nullable(text), httpReferer: nullable(text), appTitle: nullable(text), externalUser: nullable(text), attempts, createdAt: date }),
    )
    .map((parts) => Object.assign({}, ...parts) as GenerationRecord);

describe("generationsJson", () => {
  it("writes the text one JSON.stringify of storable copies wrote, on generated records", () => {
    fc.assert(
      fc.property(fc.array(record(fc.option), { maxLength: 4 }), (records) => {
        expect(generationsJson(records)).toBe(copiedRowsJson(records));
      }),
      { numRuns: 3_000 },
    );
  });

  it("leaves out undefined values and keeps a Date's JSON across calls within and across seconds", () => {
    const base = { ...fc.sample(record(fc.option), { numRuns: 1, seed: 7 })[0]!, keyId: undefined } as unknown as GenerationRecord;
    const instants = [1_764_527_467_123, 1_764_527_467_999, 1_764_527_468_000, 1_764_527_467_001, -1, Number.NaN];
    for (const ms of instants) {
      const records = [{ ...base, createdAt: new Date(ms) }];
      expect(generationsJson(records)).toBe(copiedRowsJson(records));
    }
    expect(generationsJson([base])).not.toContain('"keyId"');
  });
});

describe.each(dbKinds)("generation rows on %s", (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
  });
  afterAll(() => database.close());

  it("stores every row exactly as the copied rows' JSON did", async () => {
    // values every column can take without the statement failing: a valid instant, ids of their own
    const samples = fc.sample(record(fc.option), { numRuns: 60, seed: 20261130 });
    const records = samples.map((sample, index) => ({
      ...sample,
      id: `json-${index}${sample.id}`,
      createdAt: sample.createdAt.getTime() >= 0 && sample.createdAt.getUTCFullYear() <= 9999 ? sample.createdAt : new Date(1_764_527_467_123),
    }));
    const old = records.map((stored) => ({ ...stored, id: `old-${stored.id}` }));
    const names = sql.raw(columns.map((column) => `"${column.name}"`).join(", "));
    const keys = sql.raw(columns.map((column) => `"${column.key}"`).join(", "));
    const recordset = sql.raw(columns.map((column) => `"${column.key}" ${column.type}`).join(", "));
    await queryRows(database.db, insertGenerations(records));
    await queryRows(
      database.db,
      sql`insert into ${generations} (${names}) select ${keys} from json_to_recordset(${copiedRowsJson(old)}::json) as r(${recordset}) on conflict do nothing`,
    );
    const rows = (prefix: string) =>
      queryRows<{ row: string }>(
        database.db,
        sql`select (to_jsonb(g) - 'id')::text as row, substr(id, ${prefix.length + 1}) as id from generations g where id like ${`${prefix}%`} order by 2`,
      );
    const written = await rows("json-");
    expect(written).toHaveLength(records.length);
    expect(await rows("old-json-")).toEqual(written);
  });
});
