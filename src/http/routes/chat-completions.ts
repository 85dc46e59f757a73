/**
 * POST /api/v1/chat/completions (alias /v1/chat/completions), stream and non-stream.
 * Transport only: the use case decides everything; the stream is written by sse-reply.ts.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { inferenceCaller, type InferenceAccess } from "../inference-access.js";
import type { ChatGateway } from "../../gateway/chat-gateway.js";
import { errorFrame, KEEP_ALIVE_FRAME } from "../../gateway/wire-response.js";
import { clientCancellation, inferenceMeta } from "../inference-request.js";
import { sendSse } from "../sse-reply.js";

/** What the chat routes need. */
export interface ChatRoutesDeps {
  gateway: ChatGateway;
  /** Inference keys, or an x402 payment when enabled. */
  access: InferenceAccess;
  clock: () => Date;
  /** How long a stream waits for its upstream before sending keep-alive comments (ms). */
  keepAliveMs?: number;
}

/** Registers the chat completion routes on `app`. */
export function registerChatRoutes(app: FastifyInstance, deps: ChatRoutesDeps): void {
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const caller = inferenceCaller(request, deps.clock());
    const cancellation = clientCancellation(reply);
    const meta = inferenceMeta(request, cancellation);
    const generationId = meta.generationId ?? "";
    if (!deps.gateway.wantsStream(request.body)) {
      const result = await deps.gateway.complete(caller, request.body, meta);
      return reply.header("x-generation-id", result.generationId).send(result.body);
    }
    const model = String((request.body as { model?: unknown }).model ?? "");
    return sendSse(reply, {
      start: async () => (await deps.gateway.stream(caller, request.body, meta)).frames,
      framing: {
        keepAliveFrame: KEEP_ALIVE_FRAME,
        errorFrame: (error) => errorFrame({ id: generationId, model, provider: "", created: Math.floor(Date.now() / 1000) }, error),
      },
      signal: cancellation,
      headers: { "x-generation-id": generationId },
      ...(deps.keepAliveMs !== undefined ? { keepAliveMs: deps.keepAliveMs } : {}),
    });
  };
  app.post("/chat/completions", { preHandler: deps.access.preHandler((body) => deps.gateway.quote(body)) }, handler);
}
