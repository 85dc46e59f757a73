/**
 * One upstream attempt's clock and cancellation: a first-byte deadline (from send to the first
 * chunk with substance), then an idle limit between reads, and the caller's AbortSignal. Timers
 * only run while we wait on the upstream, so a slow consumer never counts as an upstream stall.
 * Whatever ends the attempt is recorded once and surfaces as that UpstreamError.
 */
import { Cancellation, type CancelSignal } from "../../domain/cancellation.js";
import { UpstreamError, type AdapterContext, type UpstreamTimeouts } from "../spec.js";

const CONNECT_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "EADDRNOTAVAIL"]);

/** Cancellation and timing state of one attempt. */
export class Attempt {
  readonly startedAt = performance.now();
  readonly timeouts: UpstreamTimeouts;
  private readonly cancellation = new Cancellation();
  private readonly deadline: number;
  private phase: "first" | "idle" = "first";
  private timer: NodeJS.Timeout | undefined;
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
    else context.signal?.addEventListener("abort", this.onCallerAbort, { once: true });
  }

  /** Signal handed to undici; aborting it closes the upstream connection. */
  get signal(): Cancellation {
    return this.cancellation;
  }

  /** The error that ended the attempt, if any. */
  get failed(): UpstreamError | undefined {
    return this.failure;
  }

  /** Starts the clock for one wait on the upstream. */
  arm(): void {
    this.disarm();
    if (this.failure) return;
    const waitMs = this.phase === "first" ? this.deadline - performance.now() : this.timeouts.idleMs;
    this.timer = setTimeout(() => this.onTimeout(), Math.max(0, waitMs));
  }

  /** Stops the clock (the upstream delivered). */
  disarm(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** The first chunk with substance arrived: from now on only the idle limit applies. */
  markFirstChunk(): void {
    this.phase = "idle";
  }

  /** Ends the attempt with `error` (first call wins) and closes the connection. */
  fail(error: UpstreamError): void {
    this.disarm();
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
    this.disarm();
    this.callerSignal?.removeEventListener("abort", this.onCallerAbort);
  }

  /** Wraps a body so each read is timed (first-byte deadline, then idle limit). */
  async *timed<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
    const iterator = source[Symbol.asyncIterator]();
    for (;;) {
      this.arm();
      let next: IteratorResult<T>;
      try {
        next = await iterator.next();
      } catch (error) {
        throw this.translate(error);
      } finally {
        this.disarm();
      }
      if (this.failure) throw this.failure;
      if (next.done) return;
      yield next.value;
    }
  }

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
