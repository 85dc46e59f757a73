/**
 * The one error every adapter throws for an upstream failure, with the kind of failure, the
 * upstream status and whether the router may fall back. Re-exported by spec.ts.
 */
import { AppError, type ErrorType } from "../domain/errors.js";

/**
 * How an upstream attempt failed:
 * - `http`: the upstream answered with an error status (or an error event inside a stream)
 * - `connect`: the connection could not be made (refused, DNS, unreachable)
 * - `timeout_connect`, `timeout_first_byte`: a time limit before the first chunk
 * - `stall`: the stream went silent longer than `idleMs`
 * - `reset`: the connection broke or the body ended before the protocol's end-of-stream
 * - `invalid_response`: the body was not the protocol's shape (malformed JSON, missing fields)
 * - `aborted`: the caller's AbortSignal fired
 */
export type UpstreamErrorKind =
  | "http"
  | "connect"
  | "timeout_connect"
  | "timeout_first_byte"
  | "stall"
  | "reset"
  | "invalid_response"
  | "aborted";

/** Construction options of UpstreamError. */
export interface UpstreamErrorOptions {
  kind: UpstreamErrorKind;
  /** Upstream HTTP status (for kind "http"; for a stream error event, the status it implies). */
  status?: number;
  retryAfterMs?: number;
  /** Upstream body, truncated to 2 KiB, for the error's metadata. */
  rawBody?: string;
  /** The upstream's own error type/code string, when it sent one. */
  upstreamCode?: string;
  cause?: unknown;
}

const RAW_BODY_LIMIT = 2048;

/**
 * Every upstream failure. `retryable` says whether the router may try the next endpoint:
 * true for 408/409/429/5xx, timeouts, connect failures, resets, stalls and invalid responses;
 * false for other 4xx (the request itself is at fault) and for aborts.
 * `httpStatus` is what a client sees if this is the final error (502/503/504/429 or the 4xx).
 */
export class UpstreamError extends AppError {
  readonly kind: UpstreamErrorKind;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  readonly rawBody: string | undefined;
  readonly upstreamCode: string | undefined;

  constructor(message: string, options: UpstreamErrorOptions) {
    const rawBody = options.rawBody === undefined ? undefined : options.rawBody.slice(0, RAW_BODY_LIMIT);
    const { httpStatus, errorType } = clientFacing(options.kind, options.status);
    const retryAfterSeconds = options.retryAfterMs === undefined ? undefined : Math.ceil(options.retryAfterMs / 1000);
    super(message, {
      httpStatus,
      errorType,
      // When this error reaches the client as a 429/502/503, the upstream's wait travels with it
      // (a passing 502/503 without one gets the default wait: AppError).
      ...(retryAfterSeconds !== undefined && [429, 502, 503].includes(httpStatus) ? { headers: { "Retry-After": String(retryAfterSeconds) } } : {}),
      retryable: isRetryable(options.kind, options.status),
      cause: options.cause,
      metadata: {
        upstream_kind: options.kind,
        ...(options.status === undefined ? {} : { upstream_status: options.status }),
        ...(options.upstreamCode === undefined ? {} : { provider_code: options.upstreamCode }),
        ...(rawBody === undefined ? {} : { raw: rawBody }),
        ...(retryAfterSeconds === undefined ? {} : { retry_after_seconds: retryAfterSeconds }),
      },
    });
    this.name = "UpstreamError";
    this.kind = options.kind;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
    this.rawBody = rawBody;
    this.upstreamCode = options.upstreamCode;
  }
}

/** Whether the router may fall back to another endpoint after this failure. */
export function isRetryable(kind: UpstreamErrorKind, status: number | undefined): boolean {
  if (kind === "aborted") return false;
  if (kind !== "http") return true;
  if (status === undefined) return true;
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

function clientFacing(kind: UpstreamErrorKind, status: number | undefined): { httpStatus: number; errorType: ErrorType } {
  switch (kind) {
    case "timeout_connect":
    case "timeout_first_byte":
    case "stall":
      return { httpStatus: 504, errorType: "timeout" };
    case "connect":
    case "reset":
    case "invalid_response":
      return { httpStatus: 502, errorType: "provider_unavailable" };
    case "aborted":
      return { httpStatus: 499, errorType: "invalid_request" };
    case "http":
      return httpFacing(status);
  }
}

function httpFacing(status: number | undefined): { httpStatus: number; errorType: ErrorType } {
  if (status === undefined) return { httpStatus: 502, errorType: "provider_unavailable" };
  if (status === 429) return { httpStatus: 429, errorType: "rate_limit_exceeded" };
  if (status === 529 || status === 503) return { httpStatus: 503, errorType: "provider_overloaded" };
  if (status >= 500) return { httpStatus: 502, errorType: "provider_unavailable" };
  // The upstream rejected the operator's provider key: not the client's credentials.
  if (status === 401) return { httpStatus: 502, errorType: "provider_unavailable" };
  if (status === 403) return { httpStatus: 403, errorType: "permission_denied" };
  if (status === 404) return { httpStatus: 404, errorType: "not_found" };
  if (status === 413) return { httpStatus: 413, errorType: "payload_too_large" };
  if (status === 422) return { httpStatus: 422, errorType: "unprocessable" };
  if (status === 408) return { httpStatus: 408, errorType: "timeout" };
  return { httpStatus: 400, errorType: "invalid_request" };
}

/** What replaces a configured secret in text relayed to a client. */
export const REDACTED = "[REDACTED]";

/**
 * Shorter values are not treated as secrets: no provider key is that short, and replacing every
 * "true" or "1" an extra header carries would garble messages without protecting anything.
 */
const MIN_SECRET_LENGTH = 8;

/** The credentials of one attempt: its API key (the operator's or the account's own) and every extra header value. */
export function attemptSecrets(context: { apiKey: string; headers?: Record<string, string> }): string[] {
  const values = [context.apiKey, ...Object.values(context.headers ?? {})];
  return [...new Set(values.filter((value) => value.length >= MIN_SECRET_LENGTH))].sort((a, b) => b.length - a.length);
}

/**
 * `text` with every occurrence of a secret replaced by REDACTED, and a trailing start of a secret
 * too (text truncated mid-secret must not leak its first characters).
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length < MIN_SECRET_LENGTH) continue;
    out = out.split(secret).join(REDACTED);
    for (let length = Math.min(secret.length - 1, out.length); length >= 4; length--) {
      if (out.endsWith(secret.slice(0, length))) {
        out = out.slice(0, out.length - length) + REDACTED;
        break;
      }
    }
  }
  return out;
}

/**
 * The same failure with `secrets` removed from everything a client or a generation record sees
 * (message, raw body, provider code). An upstream that echoes its request headers in an error
 * would otherwise hand the operator's provider key to whoever sent the request.
 */
export function redactUpstreamError(error: UpstreamError, secrets: readonly string[]): UpstreamError {
  const clean = (text: string) => redactSecrets(text, secrets);
  const message = clean(error.message);
  const rawBody = error.rawBody === undefined ? undefined : clean(error.rawBody);
  const upstreamCode = error.upstreamCode === undefined ? undefined : clean(error.upstreamCode);
  if (message === error.message && rawBody === error.rawBody && upstreamCode === error.upstreamCode) return error;
  return new UpstreamError(message, {
    kind: error.kind,
    ...(error.status === undefined ? {} : { status: error.status }),
    ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
    ...(rawBody === undefined ? {} : { rawBody }),
    ...(upstreamCode === undefined ? {} : { upstreamCode }),
    cause: error.cause,
  });
}
