import { STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, FastifyServerOptions } from "fastify";
import { AppError, type ErrorType } from "../domain/errors.js";

const TYPE_BY_STATUS: Record<number, ErrorType> = {
  400: "invalid_request",
  401: "authentication",
  402: "payment_required",
  403: "permission_denied",
  404: "not_found",
  408: "timeout",
  413: "payload_too_large",
  414: "invalid_request",
  415: "invalid_request",
  422: "unprocessable",
  429: "rate_limit_exceeded",
  431: "invalid_request",
};

/**
 * The one place errors become responses: every error leaves in OpenRouter's envelope
 * `{"error":{"code":<status>,"message","metadata"}}` with the status mirrored in `code`.
 * Framework 4xx errors (malformed JSON, oversized body) keep their status; anything
 * unexpected is answered as a 500 without internals (the request's log line carries its stack).
 */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | AppError, _request, reply) => {
    const appError = toAppError(error);
    for (const [name, value] of Object.entries(appError.headers)) void reply.header(name, value);
    return reply.status(appError.httpStatus).send(appError.toEnvelope());
  });
  app.setNotFoundHandler((request, reply) => {
    const error = new AppError(`No route for ${request.method} ${request.url.split("?")[0]}`, {
      httpStatus: 404,
      errorType: "not_found",
    });
    return reply.status(404).send(error.toEnvelope());
  });
}

/** Any error reaching a handler as the AppError it is answered with (framework 4xx kept, anything else a 500). */
export function toAppError(error: FastifyError | AppError): AppError {
  if (error instanceof AppError) return error;
  const status = error.statusCode;
  if (status && status >= 400 && status < 500) {
    return new AppError(describeClientError(error), {
      httpStatus: status,
      errorType: TYPE_BY_STATUS[status] ?? "invalid_request",
    });
  }
  return new AppError("Internal server error", { httpStatus: 500, errorType: "server", cause: error });
}

function describeClientError(error: FastifyError): string {
  switch (error.code) {
    case "FST_ERR_CTP_INVALID_JSON_BODY":
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return `Malformed JSON body: ${error.message}`;
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return "Request body is too large";
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return "Unsupported Content-Type: send application/json";
    case "FST_ERR_BAD_URL":
      return "The URL is not valid: a percent-encoded part does not decode to UTF-8 text";
    case "FST_ERR_MAX_PARAM_LENGTH":
      return "A path parameter is too long (at most 100 characters)";
    default:
      return error.message;
  }
}

/**
 * Fastify options for the errors fastify answers before any route or hook runs, so they too
 * leave in the envelope: `frameworkErrors` (a URL whose percent-encoding is not UTF-8, a path
 * parameter longer than `maxParamLength`) and `clientErrorHandler` (what node's HTTP parser
 * refuses: headers over 16 KB, a NUL or other control byte in a header, a request line that is
 * not HTTP, a request that timed out).
 */
export const envelopeServerOptions = {
  frameworkErrors: answerFrameworkError,
  clientErrorHandler: answerClientError,
} satisfies Partial<FastifyServerOptions>;

function answerFrameworkError(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const appError = toAppError(error);
  void reply.status(appError.httpStatus).send(appError.toEnvelope());
}

const CLIENT_ERRORS: Record<string, { status: number; message: string; errorType: ErrorType }> = {
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, message: "The request took too long to arrive", errorType: "timeout" },
  HPE_HEADER_OVERFLOW: { status: 431, message: "Request headers are too large (at most 16 KB)", errorType: "invalid_request" },
};
const MALFORMED_REQUEST = { status: 400, message: "Malformed HTTP request", errorType: "invalid_request" as const };

/**
 * Answers a request node's HTTP parser refused, on the raw socket (no request object exists),
 * then closes the connection: the bytes after a parse error cannot be trusted.
 */
function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  const known = (error.code && CLIENT_ERRORS[error.code]) || MALFORMED_REQUEST;
  const body = JSON.stringify(new AppError(known.message, { httpStatus: known.status, errorType: known.errorType }).toEnvelope());
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${known.status} ${STATUS_CODES[known.status] ?? "Error"}\r\n` +
        `content-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
