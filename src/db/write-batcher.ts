interface Waiting<T> {
  item: T;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** What a flush reports: nothing (every item written), or each item's error (undefined: written). */
export type FlushOutcome = void | readonly unknown[];

/** Batching settings. */
export interface WriteBatcherOptions {
  /**
   * How long the first waiting item waits for others before its batch is written (ms), counted
   * from its arrival or from the end of the write in progress then. 0: on the next turn of the
   * event loop.
   */
  maxDelayMs?: number;
  maxBatch?: number;
}

/**
 * Folds items into batches written by one `flush` at a time: many rows per transaction beat one
 * transaction per row when writers would otherwise queue on the same rows' locks or pay one
 * round trip each. `add` resolves once the item's batch is written, so whoever waits for
 * background work still sees it done. The timer exists only while items wait.
 */
export class WriteBatcher<T> {
  private waiting: Waiting<T>[] = [];
  private flushing = false;
  private scheduled: (() => void) | undefined;
  private hurried = 0;
  private readonly maxDelayMs: number;
  private readonly maxBatch: number;

  constructor(
    private readonly flush: (items: T[]) => Promise<FlushOutcome>,
    options: WriteBatcherOptions = {},
  ) {
    this.maxDelayMs = options.maxDelayMs ?? 20;
    this.maxBatch = options.maxBatch ?? 500;
  }

  add(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (this.waiting.length >= this.maxBatch) this.writeNext();
      else this.schedule();
    });
  }

  /**
   * Until the returned function is called, items are written without waiting for others (someone
   * waits for everything to be written: shutdown, tests).
   */
  hurry(): () => void {
    this.hurried += 1;
    if (this.scheduled) this.writeNext();
    let released = false;
    return () => {
      if (!released) this.hurried -= 1;
      released = true;
    };
  }

  private schedule(): void {
    if (this.scheduled || this.flushing) return;
    if (this.maxDelayMs === 0 || this.hurried > 0) {
      const immediate = setImmediate(() => this.writeNext());
      this.scheduled = () => clearImmediate(immediate);
    } else {
      const timer = setTimeout(() => this.writeNext(), this.maxDelayMs).unref();
      this.scheduled = () => clearTimeout(timer);
    }
  }

  private writeNext(): void {
    this.scheduled?.();
    this.scheduled = undefined;
    if (this.flushing || this.waiting.length === 0) return;
    const batch = this.waiting.splice(0, this.maxBatch);
    this.flushing = true;
    this.flush(batch.map((waiting) => waiting.item))
      .then(
        (errors) =>
          batch.forEach((waiting, index) => {
            const error = errors?.[index];
            if (error === undefined) waiting.resolve();
            else waiting.reject(error);
          }),
        (error: unknown) => batch.forEach((waiting) => waiting.reject(error)),
      )
      .finally(() => {
        this.flushing = false;
        if (this.waiting.length >= this.maxBatch) this.writeNext();
        else if (this.waiting.length > 0) this.schedule();
      });
  }
}
