import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from "fastify";
import { AppError } from "../../domain/errors.js";

declare module "fastify" {
  interface FastifyRequest {
    /** What the request failed with, kept for its log line. */
    failure: unknown;
  }
}

type Level = "info" | "warn" | "error";

/**
 * The level of a request's line. Anything a client caused or an operator expects (4xx, 402, a
 * model without a key, BYOK off, an upstream that failed) is info or warn; only farebox's own
 * faults, an unexpected 500, are errors, and only those carry a stack.
 */
function levelOf(status: number, failure: unknown): Level {
  if (status < 500) return "info";
  return failure instanceof AppError && failure.errorType !== "server" ? "warn" : "error";
}

/**
 * One log line per request, written when the response is done (replaces Fastify's two lines):
 * method, path (without the query, which may carry ids), status, duration, the key's label when
 * one authenticated, and for a failure its type and message.
 */
export function registerRequestLog(app: FastifyInstance): void {
  app.decorateRequest("failure", undefined);
  app.addHook("onError", async (request, _reply, error) => {
    request.failure = error;
  });
  // a callback hook, not an async one: no promise per request for work that never waits
  app.addHook("onResponse", (request, reply, done) => {
    const status = reply.statusCode;
    const level = levelOf(status, request.failure);
    const query = request.url.indexOf("?");
    const line: Record<string, unknown> = {
      method: request.method,
      path: query === -1 ? request.url : request.url.slice(0, query),
      status,
      ms: Math.round(reply.elapsedTime * 100) / 100,
    };
    if (request.apiKey) line.key = request.apiKey.label;
    describeFailure(line, request, level);
    (request.log as FastifyBaseLogger)[level](line, "request");
    done();
  });
}

function describeFailure(line: Record<string, unknown>, request: FastifyRequest, level: Level): void {
  const failure = request.failure;
  if (failure === undefined) return;
  if (level === "error") {
    line.err = failure;
    return;
  }
  if (failure instanceof AppError) line.error_type = failure.errorType;
  if (failure instanceof Error) line.error = failure.message;
}
