import { EventEmitter } from "node:events";

/** What code that must stop when a request is cancelled reads; an AbortSignal satisfies it too. */
export interface CancelSignal {
  readonly aborted: boolean;
  addEventListener(type: "abort", listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: "abort", listener: () => void): void;
}

/**
 * Cancellation on the request path: an "abort" flag and event with the part of AbortSignal's
 * interface farebox uses; undici takes it as a request's `signal` (an EventEmitter). On Node 20
 * each AbortSignal costs ≈5 KB of allocation and outlives young-generation collections, so the
 * two a request used to make were a large share of what full collections had to clean up.
 */
export class Cancellation extends EventEmitter implements CancelSignal {
  aborted = false;
  reason: unknown = undefined;

  /** Fires "abort" once; later calls do nothing. */
  abort(reason?: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.emit("abort");
  }

  addEventListener(type: "abort", listener: () => void): void {
    this.once(type, listener);
  }

  removeEventListener(type: "abort", listener: () => void): void {
    this.off(type, listener);
  }
}
