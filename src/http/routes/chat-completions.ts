/**
 * POST /api/v1/chat/completions (alias /v1/chat/completions), stream and non-stream.
 * Transport only: the use case decides everything. While a stream waits for its upstream, SSE
 * comment lines keep the connection alive; once they have been sent the status is committed, so
 * a later failure arrives as an SSE error event. A client that goes away aborts the upstream.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { KeyResolver } from "../../keys/index.js";
import { requireKey } from "../plugins/auth.js";
import { inferenceCaller } from "./inference-caller.js";
import { AppError, internalError } from "../../domain/errors.js";
import { Cancellation, type CancelSignal } from "../../domain/cancellation.js";
import { newGenerationId } from "../../domain/ids.js";
import type { ChatGateway } from "../../gateway/chat-gateway.js";
import type { Caller, RequestMeta } from "../../gateway/ports.js";
import { errorFrame, KEEP_ALIVE_FRAME } from "../../gateway/wire-response.js";

/** What the chat routes need. */
export interface ChatRoutesDeps {
  gateway: ChatGateway;
  /** Resolves bearer keys (cached); only inference keys may call models. */
  keys: KeyResolver;
  clock: () => Date;
  /** How long a stream waits for its upstream before sending keep-alive comments (ms). */
  keepAliveMs?: number;
}

const SSE_HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache",
  connection: "keep-alive",
  "x-accel-buffering": "no",
};

/** Registers the chat completion routes on `app`. */
export function registerChatRoutes(app: FastifyInstance, deps: ChatRoutesDeps): void {
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const caller = inferenceCaller(request, deps.clock());
    const cancellation = new Cancellation();
    reply.raw.on("close", () => {
      if (!reply.raw.writableFinished) cancellation.abort();
    });
    const meta: RequestMeta = { signal: cancellation, generationId: newGenerationId(), ...attribution(request) };
    if (!deps.gateway.wantsStream(request.body)) {
      const result = await deps.gateway.complete(caller, request.body, meta);
      return reply.header("x-generation-id", result.generationId).send(result.body);
    }
    return streamReply(deps, caller, request, reply, meta, cancellation);
  };
  const options = { preHandler: requireKey(deps.keys, ["inference"]) };
  app.post("/chat/completions", options, handler);
}

async function streamReply(
  deps: ChatRoutesDeps,
  caller: Caller,
  request: FastifyRequest,
  reply: FastifyReply,
  meta: RequestMeta,
  signal: CancelSignal,
): Promise<FastifyReply> {
  const raw = reply.raw;
  let committed = false;
  const commit = () => {
    if (committed) return;
    committed = true;
    reply.hijack();
    raw.writeHead(200, { ...SSE_HEADERS, "x-generation-id": meta.generationId ?? "" });
  };
  const keepAlive = setInterval(() => {
    if (signal.aborted || raw.destroyed) return;
    commit();
    raw.write(KEEP_ALIVE_FRAME);
  }, deps.keepAliveMs ?? 1_000);
  let started;
  try {
    started = await deps.gateway.stream(caller, request.body, meta);
  } catch (error) {
    clearInterval(keepAlive);
    if (!committed) throw error;
    const appError = error instanceof AppError ? error : internalError("The request failed.", error);
    const model = String((request.body as { model?: unknown }).model ?? "");
    raw.end(errorFrame({ id: meta.generationId ?? "", model, provider: "", created: Math.floor(Date.now() / 1000) }, appError));
    return reply;
  }
  clearInterval(keepAlive);
  commit();
  try {
    for await (const frame of started.frames) {
      if (signal.aborted) break;
      if (!raw.write(frame)) await drained(raw, signal);
    }
  } finally {
    if (!raw.writableEnded) raw.end();
  }
  return reply;
}

function drained(raw: FastifyReply["raw"], signal: CancelSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      raw.off("drain", done);
      signal.removeEventListener("abort", done);
      resolve();
    };
    raw.on("drain", done);
    signal.addEventListener("abort", done);
  });
}

function attribution(request: FastifyRequest): Pick<RequestMeta, "httpReferer" | "appTitle" | "sessionId"> {
  const header = (name: string) => {
    const value = request.headers[name];
    const text = Array.isArray(value) ? value[0] : value;
    return text ? text.slice(0, 512) : undefined;
  };
  const referer = header("http-referer") ?? header("referer");
  const title = header("x-openrouter-title") ?? header("x-title");
  const session = header("x-session-id")?.slice(0, 256);
  return { ...(referer ? { httpReferer: referer } : {}), ...(title ? { appTitle: title } : {}), ...(session ? { sessionId: session } : {}) };
}
