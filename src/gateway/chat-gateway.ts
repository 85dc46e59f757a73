/**
 * The chat completion use case (and embeddings, on the same pipeline: embed.ts): auth (done by the caller) → prepare (quote, reserve) → attempts
 * with fallback before the first byte → the answer, whole (complete-chat.ts) or streamed
 * (stream-chat.ts) → the request's end: charge, record, notify (request-end.ts). Every path
 * ends the reservation: a success settles, an error without output voids, a client disconnect
 * settles what was produced. `drain()` waits for every request's end (shutdown, tests).
 */
import type { Catalog } from "../catalog/types.js";
import type { Protocol } from "../domain/protocols.js";
import type { ProviderAdapter, UpstreamTimeouts } from "../providers/spec.js";
import type { HealthTracker } from "../routing/health.js";
import { SessionAffinity } from "../routing/session-affinity.js";
import { completeChat } from "./complete-chat.js";
import type { Nano } from "../domain/money.js";
import { embed, quoteEmbeddings } from "./embed.js";
import { quoteRequest } from "./prepare.js";
import type { Billing, ByokKeys, Caller, EmbeddingsInput, EmbeddingsResult, OnSettled, RequestMeta } from "./ports.js";
import { createRequestEnd } from "./request-end.js";
import { streamChat, type StreamStart } from "./stream-chat.js";

export type { StreamStart } from "./stream-chat.js";

/** Everything the use case is built from; all I/O arrives here. */
export interface ChatGatewayDeps {
  catalog: Catalog;
  health: HealthTracker;
  /** Which endpoint served each conversation lately (prompt-cache stickiness); a fresh one when absent. */
  affinity?: SessionAffinity;
  adapterFor: (protocol: Protocol) => ProviderAdapter | undefined;
  billing: Billing;
  /** Fee on credit-funded requests in basis points (500 = 5%). */
  feeBps: number;
  /** The accounts' own provider keys (BYOK); absent when no master key is configured. */
  byok?: ByokKeys;
  timeouts: UpstreamTimeouts;
  nowMs?: () => number;
  random?: () => number;
  /** The "generation settled" port (rollups, metrics). */
  onSettled?: OnSettled;
  /** Receives failures of background settlement/recording (they never reach the client). */
  onBackgroundError?: (error: unknown) => void;
}

/** The use case's surface for the HTTP layer. */
export interface ChatGateway {
  complete(caller: Caller, body: unknown, meta: RequestMeta): Promise<{ generationId: string; body: Record<string, unknown> }>;
  /** Resolves once the first chunk arrived (fallback happens before); rejects with the AppError otherwise. */
  stream(caller: Caller, body: unknown, meta: RequestMeta): Promise<StreamStart>;
  /** Embeddings for a validated request (billed per input token, same pipeline). */
  embed(caller: Caller, input: EmbeddingsInput, meta: RequestMeta): Promise<EmbeddingsResult>;
  /**
   * The worst-case charge of a body on shared capacity: the amount its hold would be placed for
   * (asked of a caller who pays per request). Throws the AppError a malformed body gets.
   */
  quote(body: unknown): Nano;
  /** The same for an embeddings request. */
  quoteEmbeddings(input: EmbeddingsInput): Nano;
  /** Whether the body asks for a stream (without validating the rest). */
  wantsStream(body: unknown): boolean;
  /** Waits until every request's end started so far is written and told, then gives back unused holds. */
  drain(): Promise<void>;
}

/** Builds the use case. Creating it performs no I/O. */
export function createChatGateway(deps: ChatGatewayDeps): ChatGateway {
  const nowMs = deps.nowMs ?? (() => Date.now());
  const random = deps.random ?? Math.random;
  const affinity = deps.affinity ?? new SessionAffinity();
  const end = createRequestEnd({ billing: deps.billing, feeBps: deps.feeBps, onSettled: deps.onSettled, onError: deps.onBackgroundError });
  const run = {
    prepare: {
      catalog: deps.catalog,
      billing: deps.billing,
      feeBps: deps.feeBps,
      byok: deps.byok,
      planner: () => ({ health: deps.health, affinity, nowMs: nowMs(), random }),
      now: () => new Date(nowMs()),
    },
    attempts: { adapterFor: deps.adapterFor, health: deps.health, timeouts: deps.timeouts, nowMs },
    byok: deps.byok,
    health: deps.health,
    affinity,
    nowMs,
    end,
  };
  return {
    wantsStream: (body) => typeof body === "object" && body !== null && (body as { stream?: unknown }).stream === true,
    quote: (body) => quoteRequest(run.prepare, body).reservedNano,
    quoteEmbeddings: (input) => quoteEmbeddings(run, input),
    complete: (caller, body, meta) => completeChat(run, caller, body, meta),
    stream: (caller, body, meta) => streamChat(run, caller, body, meta),
    embed: (caller, input, meta) => embed(run, caller, input, meta),
    drain: () => end.drain(),
  };
}
