/**
 * POST /api/v1/messages and /messages/count_tokens (alias /v1/...): Anthropic's Messages API in
 * front of the chat use case, for any model of the catalog. Transport only: formats/messages
 * translates the body both ways; the use case quotes, holds, routes with fallback, settles and
 * records exactly as for chat. Keys come as `x-api-key` (Anthropic's SDKs) or
 * `Authorization: Bearer`; `anthropic-version` and `anthropic-beta` are accepted and need nothing.
 * Every error on these routes leaves in Anthropic's envelope, with the status chat would answer.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { AppError } from "../../domain/errors.js";
import { chatChunks } from "../../formats/chat-frames.js";
import { errorEvent, messagesErrorBody, PING_EVENT } from "../../formats/messages/errors.js";
import { chatToMessage, type ChatCompletionBody } from "../../formats/messages/from-chat.js";
import { messagesStream } from "../../formats/messages/stream.js";
import { messagesToChat } from "../../formats/messages/to-chat.js";
import { estimatePromptTokens } from "../../routing/estimate-tokens.js";
import { toAppError } from "../errors.js";
import { inferenceExchange, streamInference } from "../inference-request.js";
import { messagesRequestSchema } from "../../formats/messages/request-schema.js";
import { countTokensResponseSchema, messagesErrorSchema, messagesResponseSchema } from "../../formats/messages/response-schema.js";
import { inferenceRouteSchema, security } from "../openapi/common-schemas.js";
import { checkedByUseCase, zodRoutes } from "../openapi/route-schemas.js";
import type { ChatRoutesDeps } from "./chat-completions.js";

/** The generation id of each request once assigned (Anthropic's errors carry it as request_id). */
const generationIds = new WeakMap<FastifyRequest, string>();

/** Anthropic's error envelope, for every status these routes answer with. */
const messagesErrors = Object.fromEntries([400, 401, 402, 403, 404, 408, 413, 429, 502, 503].map((status) => [status, messagesErrorSchema]));

const messageSchema = inferenceRouteSchema({
  summary: "Create a message (Anthropic Messages API)",
  description: "Any model of the catalog, validated by the format's translator (formats/messages). Errors use Anthropic's envelope.",
  security: security.inferenceAnthropic,
  body: messagesRequestSchema,
  answer: messagesResponseSchema,
  events: "Anthropic's events: message_start, content_block_*, message_delta, message_stop, ping, error",
  errors: messagesErrors,
});

const countTokensSchema = {
  summary: "Estimate a Messages request's input tokens",
  description: "The same estimate the quote is made from; the upstream's count is what is billed.",
  tags: ["inference"],
  security: security.inferenceAnthropic,
  body: checkedByUseCase(messagesRequestSchema),
  response: { 200: countTokensResponseSchema, ...messagesErrors },
};

/** Registers the Messages routes in their own scope (for the error envelope) under `app`'s prefix. */
export async function registerMessagesRoutes(app: FastifyInstance, deps: ChatRoutesDeps): Promise<void> {
  await app.register(async (scope) => {
    scope.setErrorHandler((error: FastifyError | AppError, request, reply) => {
      const appError = toAppError(error);
      for (const [name, value] of Object.entries(appError.headers)) void reply.header(name, value);
      return reply.status(appError.httpStatus).send(messagesErrorBody(appError, generationIds.get(request) ?? null));
    });
    const keySources = { apiKeyHeader: true };
    const quote = (body: unknown) => deps.gateway.quote(messagesToChat(body));
    // answered through `reply` (a JSON body or a hijacked stream), so the handler itself returns nothing
    const create = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
      await createMessage(deps, request, reply);
    };
    const routes = zodRoutes(scope);
    routes.post("/messages", { schema: messageSchema, preHandler: deps.access.preHandler(quote, keySources) }, create);
    routes.post("/messages/count_tokens", { schema: countTokensSchema, preHandler: deps.access.keyOnly(keySources) }, async (request) => {
      const chat = messagesToChat(request.body);
      // the same rough estimate the quote sizes holds with; the upstream's count is what is billed
      return { input_tokens: estimatePromptTokens(chat.messages as unknown[], chat.tools) };
    });
  });
}

async function createMessage(deps: ChatRoutesDeps, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const chat = messagesToChat(request.body);
  const exchange = inferenceExchange(request, reply, deps.clock());
  const { caller, meta, generationId } = exchange;
  generationIds.set(request, generationId);
  // Anthropic's clients read the request id from `request-id`
  const headers = { "request-id": generationId };
  if (!deps.gateway.wantsStream(chat)) {
    const result = await deps.gateway.complete(caller, chat, meta);
    return reply.headers({ ...headers, "x-generation-id": generationId }).send(chatToMessage(result.body as unknown as ChatCompletionBody));
  }
  return streamInference(reply, exchange, {
    start: async () => messagesStream(chatChunks((await deps.gateway.stream(caller, chat, meta)).frames)),
    framing: { keepAliveFrame: PING_EVENT, errorFrame: (error) => errorEvent(error.httpStatus, error.message) },
    headers,
    keepAliveMs: deps.keepAliveMs,
  });
}
