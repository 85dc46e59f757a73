/**
 * POST /api/v1/responses (alias /v1/responses): OpenAI's Responses API, stateless, stream and
 * non-stream. Transport only: the body is translated into a chat request (formats/responses),
 * the chat use case serves it (billing, fallback, 402, the generation record), and its answer
 * is translated back. Errors leave in OpenRouter's envelope, as OpenRouter's own route does.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { AppError } from "../../domain/errors.js";
import type { ChatRoutesDeps } from "./chat-completions.js";
import { errorFrame, KEEP_ALIVE_FRAME } from "../../gateway/wire-response.js";
import { chatChunks, readChatFrame } from "../../formats/chat-frames.js";
import { toChatRequest } from "../../formats/responses/to-chat-request.js";
import { responseContext, responseFromChat } from "../../formats/responses/response-object.js";
import { responsesEvents, ResponsesStreamWriter } from "../../formats/responses/stream-events.js";
import { inferenceExchange, streamInference } from "../inference-request.js";
import { responsesRequestSchema } from "../../formats/responses/request-schema.js";
import { responseObjectSchema } from "../../formats/responses/response-schema.js";
import { inferenceRouteSchema } from "../openapi/common-schemas.js";
import { zodRoutes } from "../openapi/route-schemas.js";

/** Registers the Responses route on `app`. */
export function registerResponsesRoutes(app: FastifyInstance, deps: ChatRoutesDeps): void {
  const seconds = () => Math.floor(deps.clock().getTime() / 1000);
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const { request: parsed, chat } = toChatRequest(request.body);
    const context = responseContext(parsed);
    const exchange = inferenceExchange(request, reply, deps.clock());
    const { caller, meta, generationId } = exchange;
    if (!deps.gateway.wantsStream(chat)) {
      const result = await deps.gateway.complete(caller, chat, meta);
      return reply.header("x-generation-id", result.generationId).send(responseFromChat(context, result.body, seconds()));
    }
    const header = { id: generationId, model: parsed.model ?? "", createdAt: seconds() };
    const writer = new ResponsesStreamWriter(context, header, seconds);
    // a failure once keep-alives went out is chat's error event (same masking), re-framed
    const failure = (error: AppError) => {
      const read = readChatFrame(errorFrame({ id: generationId, model: header.model, provider: "", created: header.createdAt }, error));
      return read.kind === "chunk" ? writer.chunk(read.chunk).join("") : "";
    };
    return streamInference(reply, exchange, {
      start: async () => responsesEvents(chatChunks((await deps.gateway.stream(caller, chat, meta)).frames), writer),
      framing: {
        keepAliveFrame: KEEP_ALIVE_FRAME,
        errorFrame: failure,
      },
      keepAliveMs: deps.keepAliveMs,
    });
  };
  const schema = inferenceRouteSchema({
    summary: "Create a response (OpenAI Responses API, stateless)",
    description: "Validated by the format's translator (formats/responses).",
    body: responsesRequestSchema,
    answer: responseObjectSchema,
    events: "the Responses events, each with its `sequence_number`, then `data: [DONE]`",
  });
  zodRoutes(app).post("/responses", { schema, preHandler: deps.access.preHandler((body) => deps.gateway.quote(toChatRequest(body).chat)) }, handler);
}
