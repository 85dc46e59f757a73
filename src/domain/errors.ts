/**
 * The one error base (DESIGN.md §7). Every fault and expected failure that reaches HTTP
 * is an AppError; the fastify error handler turns it into OpenRouter's envelope
 * `{"error":{"code":<httpStatus>,"message","metadata"}}`.
 */

/** OpenRouter's typed `error_type` values (reference §2), carried in `metadata.error_type`. */
export type ErrorType =
  | "invalid_request"
  | "context_length_exceeded"
  | "authentication"
  | "permission_denied"
  | "payment_required"
  | "not_found"
  | "payload_too_large"
  | "unprocessable"
  | "rate_limit_exceeded"
  | "provider_unavailable"
  | "provider_overloaded"
  | "timeout"
  | "server";

export interface AppErrorOptions {
  httpStatus: number;
  errorType: ErrorType;
  retryable?: boolean;
  metadata?: Record<string, unknown>;
  /** Response headers that belong to this error, such as Retry-After. */
  headers?: Record<string, string>;
  cause?: unknown;
}

/** Statuses that tell a client to come back (a bad gateway, an unavailable service). */
const COME_BACK_STATUSES: ReadonlySet<number> = new Set([502, 503]);

/**
 * A 502 or 503 whose cause can pass (`retryable`: an upstream down, overloaded or unreachable, a
 * node behind) always names a wait in Retry-After, the error's own or DEFAULT_RETRY_AFTER_S, so a
 * client's retry is worth making and is paced. One that cannot pass (an upstream refusing the
 * operator's key) names none.
 */
function withRetryAfter(httpStatus: number, retryable: boolean, headers: Record<string, string>): Record<string, string> {
  if (!retryable || !COME_BACK_STATUSES.has(httpStatus)) return headers;
  if (Object.keys(headers).some((name) => name.toLowerCase() === "retry-after")) return headers;
  return { ...headers, "Retry-After": String(DEFAULT_RETRY_AFTER_S) };
}

export class AppError extends Error {
  readonly httpStatus: number;
  readonly errorType: ErrorType;
  readonly retryable: boolean;
  readonly metadata: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(message: string, options: AppErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "AppError";
    this.httpStatus = options.httpStatus;
    this.errorType = options.errorType;
    this.retryable = options.retryable ?? false;
    this.metadata = options.metadata ?? {};
    this.headers = withRetryAfter(options.httpStatus, this.retryable, options.headers ?? {});
  }

  /** The wire envelope OpenRouter uses for every non-stream error. */
  toEnvelope(): { error: { code: number; message: string; metadata: Record<string, unknown> } } {
    return {
      error: {
        code: this.httpStatus,
        message: this.message,
        metadata: { error_type: this.errorType, ...this.metadata },
      },
    };
  }
}

type Metadata = Record<string, unknown>;

export const badRequest = (message: string, metadata?: Metadata) =>
  new AppError(message, { httpStatus: 400, errorType: "invalid_request", metadata });

export const unauthorized = (message: string, metadata?: Metadata) =>
  new AppError(message, { httpStatus: 401, errorType: "authentication", metadata });

export const paymentRequired = (message: string, metadata?: Metadata) =>
  new AppError(message, { httpStatus: 402, errorType: "payment_required", metadata });

export const forbidden = (message: string, metadata?: Metadata) =>
  new AppError(message, { httpStatus: 403, errorType: "permission_denied", metadata });

export const notFound = (message: string, metadata?: Metadata) =>
  new AppError(message, { httpStatus: 404, errorType: "not_found", metadata });

export const conflict = (message: string, metadata?: Metadata) =>
  new AppError(message, { httpStatus: 409, errorType: "invalid_request", metadata });

export const payloadTooLarge = (message: string, metadata?: Metadata) =>
  new AppError(message, { httpStatus: 413, errorType: "payload_too_large", metadata });

/** A condition that passes by itself: 503 with Retry-After, so a client's retry is worth making. */
export const serviceUnavailable = (message: string, metadata?: Metadata, retryAfterSeconds = DEFAULT_RETRY_AFTER_S) =>
  new AppError(message, { httpStatus: 503, errorType: "provider_unavailable", retryable: true, metadata, headers: { "Retry-After": String(retryAfterSeconds) } });

/** How long a client is told to wait before retrying a passing condition that names no wait of its own. */
export const DEFAULT_RETRY_AFTER_S = 5;

export const internalError = (message: string, cause?: unknown) =>
  new AppError(message, { httpStatus: 500, errorType: "server", cause });
