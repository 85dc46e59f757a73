/** What code that must stop when a request is cancelled reads; an AbortSignal satisfies it too. */
export interface CancelSignal {
  readonly aborted: boolean;
  addEventListener(type: "abort", listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: "abort", listener: () => void): void;
}

type Listener = () => void;

/**
 * Cancellation on the request path: an "abort" flag and event with the part of AbortSignal's
 * interface farebox uses; undici takes it as a request's `signal` (it calls addEventListener
 * when present). On Node 20 each AbortSignal costs ≈5 KB of allocation and outlives
 * young-generation collections. Nor is it an EventEmitter: a request makes two of these (the
 * client's and its upstream attempt's) and each has one or two listeners, so a slot and a rarely
 * made array replace the emitter's listener table and the wrapper `once` allocated per listener.
 * Listeners fire in the order they were added, each once; those added after the abort never fire.
 */
export class Cancellation implements CancelSignal {
  aborted = false;
  reason: unknown = undefined;
  /** The earliest listener still registered; `more` holds the later ones. */
  private first: Listener | undefined = undefined;
  private more: Listener[] | undefined = undefined;

  /** Fires "abort" once; later calls do nothing. */
  abort(reason?: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const first = this.first;
    const more = this.more;
    this.first = undefined;
    this.more = undefined;
    first?.();
    if (more !== undefined) for (const listener of more) listener();
  }

  addEventListener(_type: "abort", listener: Listener): void {
    if (this.aborted) return;
    if (this.first === undefined) this.first = listener;
    else (this.more ??= []).push(listener);
  }

  /** Removes the latest registration of `listener`, as EventEmitter's removeListener does. */
  removeEventListener(_type: "abort", listener: Listener): void {
    const more = this.more;
    const index = more === undefined ? -1 : more.lastIndexOf(listener);
    if (index >= 0) more!.splice(index, 1);
    else if (this.first === listener) this.first = more?.shift();
  }
}
