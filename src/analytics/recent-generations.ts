import { desc, eq } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { generations } from "../db/schema/index.js";

/** One line of an account's generation log. */
export interface RecentGeneration {
  id: string;
  createdAt: Date;
  model: string;
  providerName: string | null;
  promptTokens: number;
  completionTokens: number;
  totalNano: bigint;
  latencyMs: number;
  errorStatus: number | null;
  attempts: number;
}

/** The account's latest generations, newest first (served by the account + created index). */
export async function listRecentGenerations(db: Db, accountId: string, limit: number): Promise<RecentGeneration[]> {
  const rows = await db
    .select({
      id: generations.id,
      createdAt: generations.createdAt,
      requestedModel: generations.requestedModel,
      model: generations.model,
      providerName: generations.providerName,
      promptTokens: generations.promptTokens,
      completionTokens: generations.completionTokens,
      totalNano: generations.totalNano,
      latencyMs: generations.latencyMs,
      errorStatus: generations.errorStatus,
      attempts: generations.attempts,
    })
    .from(generations)
    .where(eq(generations.accountId, accountId))
    .orderBy(desc(generations.createdAt))
    .limit(limit);
  return rows.map(({ requestedModel, model, attempts, ...row }) => ({ ...row, model: model ?? requestedModel, attempts: attempts.length }));
}
