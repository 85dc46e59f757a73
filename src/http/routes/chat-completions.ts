/**
 * POST /api/v1/chat/completions (alias /v1/chat/completions), stream and non-stream.
 * Transport only: the use case decides everything; the stream is written by sse-reply.ts.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import type { InferenceAccess } from "../inference-access.js";
import type { ChatGateway } from "../../gateway/chat-gateway.js";
import { chatRequestBody } from "../../gateway/chat-input.js";
import { errorFrame, KEEP_ALIVE_FRAME } from "../../gateway/wire-response.js";
import { inferenceRouteSchema } from "../openapi/common-schemas.js";
import { zodRoutes } from "../openapi/route-schemas.js";
import { inferenceExchange, streamInference } from "../inference-request.js";

/** What the chat routes need. */
export interface ChatRoutesDeps {
  gateway: ChatGateway;
  /** Inference keys, or an x402 payment when enabled. */
  access: InferenceAccess;
  clock: () => Date;
  /** How long a stream waits for its upstream before sending keep-alive comments (ms). */
  keepAliveMs?: number;
}

const toolCall = z.looseObject({ id: z.string(), type: z.literal("function"), function: z.object({ name: z.string(), arguments: z.string() }) });

/** Token counts as the upstream reported them: whole numbers, not bounded to 2^53 (an upstream may report any). */
const tokens = z.number().describe("A token count");

/** The non-stream answer (gateway/wire-response.ts writes it). */
export const chatCompletionResponse = z
  .object({
    id: z.string(),
    provider: z.string(),
    model: z.string(),
    object: z.literal("chat.completion"),
    created: z.int(),
    system_fingerprint: z.string().nullable(),
    choices: z.array(
      z.object({
        index: z.int(),
        logprobs: z.looseObject({}).nullable(),
        finish_reason: z.string().nullable(),
        native_finish_reason: z.string().nullable(),
        message: z.object({
          role: z.literal("assistant"),
          content: z.string().nullable(),
          refusal: z.string().nullable(),
          reasoning: z.string().nullable(),
          reasoning_details: z.array(z.looseObject({ type: z.string() })).optional(),
          tool_calls: z.array(toolCall).optional(),
        }),
      }),
    ),
    usage: z.object({
      prompt_tokens: tokens,
      completion_tokens: tokens,
      total_tokens: tokens,
      prompt_tokens_details: z.object({ cached_tokens: tokens, cache_write_tokens: tokens, audio_tokens: tokens, video_tokens: tokens }),
      completion_tokens_details: z.object({ reasoning_tokens: tokens, audio_tokens: tokens, image_tokens: tokens }),
      cost: z.number().describe("USD charged to the account"),
      is_byok: z.boolean(),
      cost_details: z.object({ upstream_inference_cost: z.number(), upstream_inference_prompt_cost: z.number(), upstream_inference_completions_cost: z.number() }),
    }),
  })
  .meta({ id: "ChatCompletion" });

const schema = inferenceRouteSchema({
  summary: "Create a chat completion",
  description: "OpenAI Chat Completions with OpenRouter's extensions, validated by the use case (gateway/chat-input.ts).",
  body: chatRequestBody,
  answer: chatCompletionResponse,
  events: "chat.completion.chunk frames, then `data: [DONE]`",
});

/** The route's handler: transport only (also what bench/chat-route-schema.ts measures the schema against). */
export function chatHandler(deps: ChatRoutesDeps) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const exchange = inferenceExchange(request, reply, deps.clock());
    const { caller, meta, generationId } = exchange;
    if (!deps.gateway.wantsStream(request.body)) {
      const result = await deps.gateway.complete(caller, request.body, meta);
      return reply.header("x-generation-id", result.generationId).send(result.body);
    }
    const model = String((request.body as { model?: unknown }).model ?? "");
    return streamInference(reply, exchange, {
      start: async () => (await deps.gateway.stream(caller, request.body, meta)).frames,
      framing: {
        keepAliveFrame: KEEP_ALIVE_FRAME,
        errorFrame: (error) => errorFrame({ id: generationId, model, provider: "", created: Math.floor(Date.now() / 1000) }, error),
      },
      keepAliveMs: deps.keepAliveMs,
    });
  };
}

/** Registers the chat completion routes on `app`. */
export function registerChatRoutes(app: FastifyInstance, deps: ChatRoutesDeps): void {
  zodRoutes(app).post("/chat/completions", { preHandler: deps.access.preHandler((body) => deps.gateway.quote(body)), schema }, chatHandler(deps));
}
