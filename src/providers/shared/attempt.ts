/**
 * One upstream attempt's clock and cancellation: a first-byte deadline (from send to the first
 * chunk with substance), then an idle limit between reads, and the caller's AbortSignal. Timers
 * only run while we wait on the upstream, so a slow consumer never counts as an upstream stall.
 * Whatever ends the attempt is recorded once and surfaces as that UpstreamError.
 */
import { Cancellation, type CancelSignal } from "../../domain/cancellation.js";
import { UpstreamError, type AdapterContext, type UpstreamTimeouts } from "../spec.js";

/** One options object for every attempt's caller-signal listener rather than one per attempt. */
const ONCE = { once: true } as const;

const CONNECT_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "EADDRNOTAVAIL"]);

/** Cancellation and timing state of one attempt. */
export class Attempt {
  readonly startedAt = performance.now();
  readonly timeouts: UpstreamTimeouts;
  private readonly cancellation = new Cancellation();
  private readonly deadline: number;
  private phase: "first" | "idle" = "first";
  /** When the current wait on the upstream began; undefined while not waiting. */
  private waitingSince: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private timerDueAt = 0;
  private disposed = false;
  private failure: UpstreamError | undefined;
  private readonly callerSignal: CancelSignal | undefined;
  private readonly onCallerAbort = (): void => {
    this.fail(new UpstreamError("The request was cancelled", { kind: "aborted" }));
  };

  constructor(context: AdapterContext) {
    this.timeouts = context.timeouts;
    this.deadline = this.startedAt + context.timeouts.firstByteMs;
    this.callerSignal = context.signal;
    if (context.signal?.aborted) this.onCallerAbort();
    else context.signal?.addEventListener("abort", this.onCallerAbort, ONCE);
  }

  /** Signal handed to undici; aborting it closes the upstream connection. */
  get signal(): Cancellation {
    return this.cancellation;
  }

  /** The error that ended the attempt, if any. */
  get failed(): UpstreamError | undefined {
    return this.failure;
  }

  /**
   * Starts the clock for one wait on the upstream. A stream arms and disarms once per read, so
   * both only note the time: one timer stays scheduled and, when it fires, compares the wait in
   * progress against its limit (sleeping again for what is left). A setTimeout and clearTimeout
   * per read showed in the stream profile (timers' list work and a Timeout object per read).
   */
  arm(): void {
    if (this.failure) return;
    const now = performance.now();
    this.waitingSince = now;
    const expiresAt = this.expiresAt(now);
    // the timer left from an earlier wait may be due later than this wait runs out (the first-byte deadline)
    if (this.timer !== undefined && this.timerDueAt <= expiresAt) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.schedule(expiresAt - now);
  }

  /** Stops the clock (the upstream delivered). */
  disarm(): void {
    this.waitingSince = undefined;
    // reads after the attempt is over (a body drained after its end marker) leave no timer behind
    if (this.disposed) this.stopTimer();
  }

  /** The first chunk with substance arrived: from now on only the idle limit applies. */
  markFirstChunk(): void {
    this.phase = "idle";
  }

  /** Ends the attempt with `error` (first call wins) and closes the connection. */
  fail(error: UpstreamError): void {
    this.stopTimer();
    if (this.failure) return;
    this.failure = error;
    this.cancellation.abort(error);
  }

  /** Turns whatever was thrown while talking to the upstream into the attempt's UpstreamError. */
  translate(error: unknown): UpstreamError {
    if (this.failure) return this.failure;
    if (error instanceof UpstreamError) return error;
    const mapped = networkError(error);
    this.failure = mapped;
    return mapped;
  }

  /** Releases timers and listeners; call when the attempt is over, however it ended. */
  dispose(): void {
    this.disposed = true;
    this.stopTimer();
    this.callerSignal?.removeEventListener("abort", this.onCallerAbort);
  }

  /** When the wait that began at `since` runs out: the first-byte deadline, then the idle limit. */
  private expiresAt(since: number): number {
    return this.phase === "first" ? this.deadline : since + this.timeouts.idleMs;
  }

  private schedule(waitMs: number): void {
    const delay = Math.max(0, Math.ceil(waitMs));
    this.timerDueAt = performance.now() + delay;
    // unref: a wait on the upstream always has its socket (or connect) holding the process open
    this.timer = setTimeout(this.onTimer, delay).unref();
  }

  private stopTimer(): void {
    this.waitingSince = undefined;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private readonly onTimer = (): void => {
    this.timer = undefined;
    const since = this.waitingSince;
    if (since === undefined || this.failure) return;
    // a timer may fire up to a millisecond before performance.now() says the wait ran out
    const left = this.expiresAt(since) - performance.now();
    if (left > 0) this.schedule(left);
    else this.onTimeout();
  };

  private onTimeout(): void {
    if (this.phase === "first") {
      const ms = this.timeouts.firstByteMs;
      this.fail(new UpstreamError(`The provider sent nothing within ${ms} ms`, { kind: "timeout_first_byte" }));
    } else {
      const ms = this.timeouts.idleMs;
      this.fail(new UpstreamError(`The provider's stream stalled for ${ms} ms`, { kind: "stall" }));
    }
  }
}

function codeOf(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const record = error as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof record.code === "string") return record.code;
  if (Array.isArray(record.errors) && record.errors.length > 0) return codeOf(record.errors[0]);
  return record.cause === undefined ? undefined : codeOf(record.cause);
}

/** Maps undici and socket errors to an UpstreamError kind. */
export function networkError(error: unknown): UpstreamError {
  const code = codeOf(error) ?? "";
  const detail = error instanceof Error ? error.message : String(error);
  if (code === "UND_ERR_CONNECT_TIMEOUT") {
    return new UpstreamError("Connecting to the provider timed out", { kind: "timeout_connect", cause: error });
  }
  if (code === "UND_ERR_HEADERS_TIMEOUT") {
    return new UpstreamError("The provider sent no response headers in time", { kind: "timeout_first_byte", cause: error });
  }
  if (code === "UND_ERR_BODY_TIMEOUT") {
    return new UpstreamError("The provider's response stalled", { kind: "stall", cause: error });
  }
  if (CONNECT_CODES.has(code)) {
    return new UpstreamError(`Could not connect to the provider (${code})`, { kind: "connect", cause: error });
  }
  if (code === "UND_ERR_ABORTED" || code === "ABORT_ERR") {
    return new UpstreamError("The request was cancelled", { kind: "aborted", cause: error });
  }
  return new UpstreamError(`The connection to the provider broke: ${detail}`, { kind: "reset", cause: error });
}
