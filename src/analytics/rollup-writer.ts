import type { AnyPgDatabase } from "../db/client.js";
import { accumulate, emptyBatch, type RollupBatch } from "./aggregate.js";
import { applyBatch } from "./rollup-store.js";
import type { SettledGeneration } from "../domain/settled-generation.js";

/**
 * Usage rollups kept current by one writer per process: each settled generation is folded into
 * the pending increments when it arrives (a few map updates), and the increments are added to
 * the rollup tables at most `flushMs` later, in one transaction. A generation is not kept until
 * the write, so memory and the cost of a write follow how many rollup rows change (accounts,
 * keys, models, apps of the day), not how many requests there were, and no write pauses the
 * process to fold hundreds of generations at once.
 *
 * Each generation handed to `add` is counted: the gateway settles every generation once. A
 * failed write loses its increments (reported through the returned promise); the ledger and the
 * generation records stay the truth.
 */
export class RollupWriter {
  private pending: RollupBatch = emptyBatch();
  private pendingWrite: Promise<void> | undefined;
  private lastWrite: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: AnyPgDatabase,
    private readonly flushMs: number,
  ) {}

  /** Counts `generation`; resolves once its increments are written. */
  add(generation: SettledGeneration): Promise<void> {
    accumulate(this.pending, generation);
    this.pendingWrite ??= this.scheduleWrite();
    return this.pendingWrite;
  }

  private async scheduleWrite(): Promise<void> {
    // a referenced timer: a process shutting down still writes what it has counted
    await new Promise((resolve) => setTimeout(resolve, this.flushMs));
    // one write at a time: the increments folded while the previous write ran wait for it
    await this.lastWrite.catch(() => undefined);
    const batch = this.pending;
    this.pending = emptyBatch();
    this.pendingWrite = undefined;
    this.lastWrite = applyBatch(this.db, batch);
    return this.lastWrite;
  }
}
