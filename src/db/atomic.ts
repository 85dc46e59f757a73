import type { Db } from "./client.js";

/** Carries an expected outcome out of a transaction that must roll back. */
class RollbackWith<T> extends Error {
  constructor(readonly outcome: T) {
    super("transaction rolled back with an expected outcome");
  }
}

/**
 * Runs `work` in one transaction. `work` may call `rollback(outcome)` to undo everything and
 * make `atomically` return `outcome` — expected results stay values, not exceptions.
 */
export async function atomically<T>(db: Db, work: (tx: Db, rollback: (outcome: T) => never) => Promise<T>): Promise<T> {
  const rollback = (outcome: T): never => {
    throw new RollbackWith(outcome);
  };
  try {
    return await db.transaction((tx) => work(tx as unknown as Db, rollback));
  } catch (error) {
    if (error instanceof RollbackWith) return error.outcome as T;
    throw error;
  }
}
