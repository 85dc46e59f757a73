/**
 * Work in flight, counted rather than kept: `drain` needs only to know when none is left. A set of
 * tracked promises costs a catch, a finally and a set entry per piece of work (≈0.4–0.6 KB per
 * request by heap sampling at 500 requests/s, bench/RESULTS.md "Fifth pass"); this costs one
 * reaction whose handlers are shared.
 */
export class InFlightCount {
  private count = 0;
  private waiting: (() => void)[] = [];

  /** `onError` sees each rejection of counted work; the count ends either way. */
  constructor(private readonly onError: (error: unknown) => void = () => undefined) {}

  /** Counts `work` until it settles. */
  track(work: Promise<unknown>): void {
    this.count += 1;
    work.then(this.ended, this.failed);
  }

  get size(): number {
    return this.count;
  }

  /** Resolves once nothing counted is in flight (at once when nothing is). */
  async whenNone(): Promise<void> {
    while (this.count > 0) await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private readonly failed = (error: unknown): void => {
    this.onError(error);
    this.ended();
  };

  private readonly ended = (): void => {
    this.count -= 1;
    if (this.count > 0) return;
    const waiting = this.waiting;
    this.waiting = [];
    for (const resolve of waiting) resolve();
  };
}
