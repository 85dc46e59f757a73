/**
 * A non-stream upstream answer read whole through undici's handler interface
 * (`Dispatcher.dispatch`), the way `request()` reads one but without what a body nobody streams
 * does not need: request() wraps each call in an AsyncResource handler, a promise and a Readable
 * the body is pushed through (stream state, buffer list, 'data'/'end'/'close' events on later
 * ticks), which exchange.ts's readText then listened to. Here undici hands the chunks straight to
 * the handler and the whole text resolves one promise (numbers in bench/RESULTS.md, "Fifth pass:
 * the upstream exchange").
 *
 * The attempt's clock runs as it did over the Readable: armed at send, rearmed at the response
 * headers (the first-byte deadline ends there for a success, whose body then waits under the
 * idle limit) and at every chunk, stopped when the answer is whole or failed.
 */
import type { Dispatcher } from "undici";
import { util } from "undici";
import type { Attempt } from "./attempt.js";
import { decodeUtf8 } from "./utf8.js";

/** Response headers by lower-case name, as UpstreamResponse has them. */
type ResponseHeaders = Record<string, string | string[] | undefined>;

/** A status and its body as text: an error status's body cut at `errorBodyLimit` characters. */
export class WholeResponse implements Dispatcher.DispatchHandler {
  status = 0;
  text = "";
  /** Settles once: with this response whole, or with the attempt's UpstreamError. */
  readonly done: Promise<WholeResponse>;
  private rawHeaders: Buffer[] = [];
  private parsedHeaders: ResponseHeaders | undefined;
  private chunks: Buffer[] = [];
  private bytes = 0;
  private limit = Number.POSITIVE_INFINITY;
  private abort: ((reason?: Error) => void) | undefined;
  private settled = false;
  private resolve!: (response: WholeResponse) => void;
  private reject!: (error: unknown) => void;
  private readonly onAbort = (): void => {
    this.abort?.(this.attempt.signal.reason as Error);
  };

  constructor(
    private readonly attempt: Attempt,
    private readonly errorBodyLimit: number,
  ) {
    this.done = new Promise<WholeResponse>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    // undici takes no signal through dispatch: the attempt's cancellation aborts the request itself
    attempt.signal.addEventListener("abort", this.onAbort);
  }

  /** The response headers (lower-case names), parsed when first read: a success never reads them. */
  get headers(): ResponseHeaders {
    return (this.parsedHeaders ??= util.parseHeaders(this.rawHeaders) as ResponseHeaders);
  }

  onConnect(abort: (reason?: Error) => void): void {
    const signal = this.attempt.signal;
    if (signal.aborted) abort(signal.reason as Error);
    else this.abort = abort;
  }

  onHeaders(status: number, rawHeaders: Buffer[]): boolean {
    // 1xx interim responses (100 Continue) precede the real one
    if (status < 200) return true;
    this.status = status;
    this.rawHeaders = rawHeaders;
    this.attempt.disarm();
    if (status >= 300) this.limit = this.errorBodyLimit;
    else this.attempt.markFirstChunk();
    this.attempt.arm();
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.settled) return true;
    this.chunks.push(chunk);
    this.bytes += chunk.length;
    // a character takes at least one byte: only a body of more bytes than the limit can be cut
    if (this.bytes > this.limit) {
      const text = decodeUtf8(this.chunks, this.bytes);
      if (text.length > this.limit) {
        this.succeed(text.slice(0, this.limit));
        this.abort?.();
        return true;
      }
    }
    this.attempt.arm();
    return true;
  }

  onComplete(): void {
    if (this.attempt.failed) this.fail(this.attempt.failed);
    else this.succeed(decodeUtf8(this.chunks, this.bytes));
  }

  onError(error: Error): void {
    this.fail(error);
  }

  private succeed(text: string): void {
    if (this.end()) return;
    this.text = text;
    this.resolve(this);
  }

  private fail(error: unknown): void {
    if (this.end()) return;
    this.reject(this.attempt.translate(error));
  }

  /** Ends the wait; true when it had already ended (only the first outcome counts). */
  private end(): boolean {
    if (this.settled) return true;
    this.settled = true;
    this.chunks = [];
    this.attempt.disarm();
    this.attempt.signal.removeEventListener("abort", this.onAbort);
    return false;
  }
}
