import type { FastifyError, FastifyInstance } from "fastify";
import { AppError, type ErrorType } from "../domain/errors.js";

const TYPE_BY_STATUS: Record<number, ErrorType> = {
  400: "invalid_request",
  401: "authentication",
  402: "payment_required",
  403: "permission_denied",
  404: "not_found",
  408: "timeout",
  413: "payload_too_large",
  415: "invalid_request",
  422: "unprocessable",
  429: "rate_limit_exceeded",
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

function toAppError(error: FastifyError | AppError): AppError {
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
    default:
      return error.message;
  }
}
