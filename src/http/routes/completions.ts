/**
 * POST /api/v1/completions (alias /v1/completions): OpenAI's legacy text completions, stream
 * and non-stream. Transport only: the format's translator (src/formats/completions) turns the
 * body into a chat request and the chat use case's answer back into `text_completion`s; errors
 * keep OpenRouter's envelope, as chat's do.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { textCompletionFrames, TextCompletionFraming, toChatRequest, toTextCompletion } from "../../formats/completions/index.js";
import { errorFrame, KEEP_ALIVE_FRAME } from "../../gateway/wire-response.js";
import { inferenceExchange, streamInference } from "../inference-request.js";
import { completionRequestSchema } from "../../formats/completions/request.js";
import { textCompletionSchema } from "../../formats/completions/response.js";
import { inferenceRouteSchema } from "../openapi/common-schemas.js";
import { zodRoutes } from "../openapi/route-schemas.js";
import type { ChatRoutesDeps } from "./chat-completions.js";

/** Registers the legacy completions route on `app`; it needs what the chat routes need. */
export function registerCompletionRoutes(app: FastifyInstance, deps: ChatRoutesDeps): void {
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const { chat, options } = toChatRequest(request.body);
    const exchange = inferenceExchange(request, reply, deps.clock());
    const { caller, meta, generationId } = exchange;
    if (!deps.gateway.wantsStream(chat)) {
      const result = await deps.gateway.complete(caller, chat, meta);
      return reply.header("x-generation-id", result.generationId).send(toTextCompletion(result.body, options));
    }
    const model = String(chat.model ?? "");
    return streamInference(reply, exchange, {
      start: async () => textCompletionFrames((await deps.gateway.stream(caller, chat, meta)).frames, options),
      framing: {
        keepAliveFrame: KEEP_ALIVE_FRAME,
        errorFrame: (error) =>
          new TextCompletionFraming({ echo: "" })
            .translate(errorFrame({ id: generationId, model, provider: "", created: Math.floor(Date.now() / 1000) }, error))
            .join(""),
      },
      keepAliveMs: deps.keepAliveMs,
    });
  };
  const schema = inferenceRouteSchema({
    summary: "Create a legacy text completion",
    description: "OpenAI's legacy completions (`prompt` → text), validated by the format's translator (formats/completions).",
    body: completionRequestSchema,
    answer: textCompletionSchema,
    events: "text_completion chunks, then `data: [DONE]`",
  });
  zodRoutes(app).post("/completions", { schema, preHandler: deps.access.preHandler((body) => deps.gateway.quote(toChatRequest(body).chat)) }, handler);
}
