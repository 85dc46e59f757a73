interface Waiting<T> {
  item: T;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Folds items into batches written by one `flush` at a time: every settled generation of a busy
 * account touches the same rollup rows, so one writer with many rows per transaction beats many
 * writers queueing on those rows' locks. `add` resolves once the item's batch is written, so
 * whoever waits for background work still sees it done. The timer exists only while items wait.
 */
export class SettledBatcher<T> {
  private waiting: Waiting<T>[] = [];
  private flushing = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly flush: (items: T[]) => Promise<unknown>,
    private readonly maxDelayMs = 20,
    private readonly maxBatch = 500,
  ) {}

  add(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (this.waiting.length >= this.maxBatch) this.writeNext();
      else this.timer ??= setTimeout(() => this.writeNext(), this.maxDelayMs).unref();
    });
  }

  private writeNext(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.flushing || this.waiting.length === 0) return;
    const batch = this.waiting.splice(0, this.maxBatch);
    this.flushing = true;
    this.flush(batch.map((waiting) => waiting.item))
      .then(
        () => batch.forEach((waiting) => waiting.resolve()),
        (error: unknown) => batch.forEach((waiting) => waiting.reject(error)),
      )
      .finally(() => {
        this.flushing = false;
        this.writeNext();
      });
  }
}
