/**
 * Errors in Anthropic's envelope as OpenRouter's Messages route writes it
 * (https://docs.anthropic.com/en/api/errors): `{"type":"error","error":{"type","message",
 * "error_type"},"metadata","request_id"}`, with the same HTTP status farebox answers on every
 * route (OpenRouter's `error_type` and metadata kept, so a 402 still says what it needed), and the
 * stream's `error` event.
 */
import { errorTypeForStatus } from "../../domain/anthropic-messages.js";
import type { AppError } from "../../domain/errors.js";
import type { MessagesError } from "./response-schema.js";

/** The error body for `error` (the generation id, when one was given, as request_id). */
export function messagesErrorBody(error: AppError, requestId: string | null = null): MessagesError {
  const metadata = error.metadata;
  return {
    type: "error",
    error: { type: errorTypeForStatus(error.httpStatus), message: error.message, error_type: error.errorType },
    ...(Object.keys(metadata).length > 0 ? { metadata } : {}),
    request_id: requestId,
  };
}

/** One Anthropic SSE event. */
export function sseEvent(type: string, data: unknown): string {
  return `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** The stream's `error` event for a failure with `status` (a provider's 5xx detail is not repeated to the client). */
export function errorEvent(status: number, message: string): string {
  const shown = status >= 500 ? "The provider failed while streaming." : message;
  return sseEvent("error", { type: "error", error: { type: errorTypeForStatus(status), message: shown } });
}

/** What Anthropic sends to keep a quiet stream open; clients skip it. */
export const PING_EVENT = sseEvent("ping", { type: "ping" });
