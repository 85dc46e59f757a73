import { inArray, sql, type SQL } from "drizzle-orm";
import type { PgColumn } from "drizzle-orm/pg-core";
import type { AnyPgDatabase } from "../byok/store.js";
import { rankingsAppDaily, rankingsModelDaily, rollupApplied, usageDaily } from "../db/schema/analytics.js";
import { accumulate, emptyBatch, type RollupBatch } from "./aggregate.js";
import type { SettledGeneration } from "./settled-generation.js";

const CHUNK = 2000;

/** `existing + excluded` for a counter column in an upsert. */
function plus(column: PgColumn): SQL {
  return sql`${column} + excluded.${sql.identifier(column.name)}`;
}

/** Element-wise `existing + excluded` for a histogram array column in an upsert. */
function plusArray(column: PgColumn): SQL {
  return sql`(select array_agg(coalesce(u.a, 0) + coalesce(u.b, 0) order by u.i) from unnest(${column}, excluded.${sql.identifier(column.name)}) with ordinality as u(a, b, i))`;
}

function chunks<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

/** Adds a batch of increments to the rollup tables (no de-duplication: callers see to that). */
export async function applyBatch(db: AnyPgDatabase, batch: RollupBatch): Promise<void> {
  for (const rows of chunks([...batch.usage.values()])) {
    await db
      .insert(usageDaily)
      .values(rows)
      .onConflictDoUpdate({
        target: [usageDaily.accountId, usageDaily.dimension, usageDaily.day, usageDaily.apiKeyId, usageDaily.value],
        set: {
          requests: plus(usageDaily.requests),
          errors: plus(usageDaily.errors),
          byokRequests: plus(usageDaily.byokRequests),
          promptTokens: plus(usageDaily.promptTokens),
          completionTokens: plus(usageDaily.completionTokens),
          reasoningTokens: plus(usageDaily.reasoningTokens),
          cachedTokens: plus(usageDaily.cachedTokens),
          creditUsageNano: plus(usageDaily.creditUsageNano),
          feeNano: plus(usageDaily.feeNano),
          byokUpstreamNano: plus(usageDaily.byokUpstreamNano),
          latencyHist: plusArray(usageDaily.latencyHist),
          ttftHist: plusArray(usageDaily.ttftHist),
        },
      });
  }
  for (const rows of chunks([...batch.models.values()])) {
    await db
      .insert(rankingsModelDaily)
      .values(rows)
      .onConflictDoUpdate({
        target: [rankingsModelDaily.day, rankingsModelDaily.model],
        set: {
          requests: plus(rankingsModelDaily.requests),
          promptTokens: plus(rankingsModelDaily.promptTokens),
          completionTokens: plus(rankingsModelDaily.completionTokens),
          latencyHist: plusArray(rankingsModelDaily.latencyHist),
          throughputHist: plusArray(rankingsModelDaily.throughputHist),
        },
      });
  }
  for (const rows of chunks([...batch.apps.values()])) {
    await db
      .insert(rankingsAppDaily)
      .values(rows)
      .onConflictDoUpdate({
        target: [rankingsAppDaily.day, rankingsAppDaily.app],
        set: {
          requests: plus(rankingsAppDaily.requests),
          tokens: plus(rankingsAppDaily.tokens),
          title: sql`case when excluded.title <> '' then excluded.title else ${rankingsAppDaily.title} end`,
        },
      });
  }
}

/**
 * Counts settled generations into the rollups, each generation id at most once (a repeated
 * event is ignored), in one transaction. Returns how many were newly counted.
 */
export async function recordSettled(db: AnyPgDatabase, generations: readonly SettledGeneration[]): Promise<number> {
  if (generations.length === 0) return 0;
  return db.transaction(async (tx) => {
    const fresh = new Set<string>();
    for (const ids of chunks(generations.map((g) => g.id))) {
      const inserted = await tx
        .insert(rollupApplied)
        .values(ids.map((generationId) => ({ generationId })))
        .onConflictDoNothing()
        .returning({ id: rollupApplied.generationId });
      for (const row of inserted) fresh.add(row.id);
    }
    const batch = emptyBatch();
    for (const gen of generations) {
      if (fresh.delete(gen.id)) accumulate(batch, gen);
    }
    await applyBatch(tx, batch);
    return batch.usage.size === 0 ? 0 : countRequests(batch);
  });
}

function countRequests(batch: RollupBatch): number {
  let total = 0;
  for (const row of batch.usage.values()) if (row.dimension === "total") total += row.requests;
  return total;
}

/** Whether a generation id has been counted (for tests and repair tools). */
export async function isRecorded(db: AnyPgDatabase, generationId: string): Promise<boolean> {
  const rows = await db.select().from(rollupApplied).where(inArray(rollupApplied.generationId, [generationId]));
  return rows.length > 0;
}
