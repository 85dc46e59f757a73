/**
 * The steps before any upstream call: validate, plan, quote the worst case and reserve it.
 * A request that cannot be paid for is refused here with a 402 saying how many output tokens
 * the balance (or the key's limit) affords.
 */
import type { Catalog } from "../catalog/types.js";
import type { AppError} from "../domain/errors.js";
import { notFound, paymentRequired, unauthorized } from "../domain/errors.js";
import { newGenerationId } from "../domain/ids.js";
import { nanoToUsdString } from "../domain/money.js";
import { once } from "../domain/once.js";
import { planRoute } from "../routing/planner.js";
import type { PlannedAttempt, PlannerContext, RoutePlan, RoutingRequest } from "../routing/types.js";
import { parseChatInput, type ChatInput } from "./chat-input.js";
import type { Billing, ByokKeys, Caller } from "./ports.js";
import { planWithByok, type ByokCredential } from "../byok/byok-plan.js";
import { affordableOutputTokens, quoteWorstCase, type Quote } from "./quote.js";

/** What preparation needs of any validated request: its routing view and its end user. */
export interface PreparedInput {
  request: { user?: string };
  routing: RoutingRequest;
}

/** A request that reserved its worst case and is ready for its attempts. */
export interface Prepared<I extends PreparedInput = ChatInput> {
  id: string;
  createdAt: Date;
  input: I;
  plan: RoutePlan;
  quote: Quote;
  holdId: string;
  images: number;
  /** The prompt estimate the quote was made from (and an estimated bill falls back to). */
  promptTokensEstimate: number;
  requestedModel: string;
  /** The plan kept only the account's own keys because the balance could not back shared capacity. */
  sharedFallbackSkipped: boolean;
}

/** Dependencies of preparation. */
export interface PrepareDeps {
  catalog: Catalog;
  billing: Billing;
  feeBps: number;
  /** The account's own keys; absent when BYOK is not configured. */
  byok?: ByokKeys | undefined;
  planner: () => PlannerContext;
  now: () => Date;
}

/** What quoting needs (preparation without billing). */
type QuoteDeps = Pick<PrepareDeps, "catalog" | "byok" | "feeBps" | "planner">;

/** Validates a chat body, plans, quotes and reserves the worst case; throws the AppError a client should see. */
export async function prepareRequest(
  deps: PrepareDeps,
  caller: Caller,
  body: unknown,
  stream: boolean,
  generationId?: string,
  sessionIdHeader?: string,
): Promise<Prepared> {
  const input = parseChatInput(body, sessionIdHeader === undefined ? {} : { sessionIdHeader });
  input.stream = stream;
  input.request.accountId = caller.accountId;
  // one account's conversation never steers another's routing
  const conversation = input.routing.sessionKey;
  if (conversation !== undefined) input.routing.sessionKey = once(() => `${caller.accountId}|${conversation()}`);
  const images = countImages(input.request.messages);
  return reserveWorstCase(deps, caller, input, { images, promptTokensEstimate: input.routing.promptTokensEstimate, generationId });
}

/** How a validated request is quoted. */
export interface QuoteBasis {
  images: number;
  /** Prompt tokens estimated for the whole request (the quote's prompt, before headroom). */
  promptTokensEstimate: number;
  generationId?: string | undefined;
  /** True for a request that produces no output tokens (embeddings): its 402 speaks of its input. */
  outputless?: boolean;
  /** Keeps only the endpoints that can serve this kind of request (an adapter that has the call). */
  servable?: (attempt: PlannedAttempt) => boolean;
}

/** Plans a validated request, quotes its worst case and reserves it; throws the AppError a client should see. */
export async function reserveWorstCase<I extends PreparedInput>(deps: PrepareDeps, caller: Caller, input: I, basis: QuoteBasis): Promise<Prepared<I>> {
  const keys: ReadonlyMap<string, ByokCredential> = deps.byok ? await deps.byok.keysFor(caller.accountId) : new Map();
  let { plan, quote } = planAndQuote(deps, input, keys, basis);
  const { images, promptTokensEstimate } = basis;
  const { maxTokens } = input.routing;
  const now = deps.now();
  let reservation = await deps.billing.reserve({ caller, amountNano: quote.reservedNano, now });
  let sharedFallbackSkipped = false;
  if (!reservation.ok && reservation.reason !== "no_account") {
    const own = plan.attempts.filter((attempt) => attempt.byok);
    if (own.length > 0 && own.length < plan.attempts.length) {
      // the balance cannot back shared capacity, but the account's own keys need only their fee
      plan = { ...plan, attempts: own };
      quote = quoteWorstCase(own, promptTokensEstimate, maxTokens, images, deps.feeBps);
      reservation = await deps.billing.reserve({ caller, amountNano: quote.reservedNano, now });
      sharedFallbackSkipped = true;
    }
  }
  if (!reservation.ok) throw basis.outputless ? outputlessRefusal(reservation, quote) : refusal(reservation, quote, images, deps.feeBps);
  return {
    id: basis.generationId ?? newGenerationId(now),
    createdAt: now,
    input,
    plan,
    quote,
    holdId: reservation.holdId,
    images,
    promptTokensEstimate,
    requestedModel: input.routing.model ?? input.routing.models?.[0] ?? "",
    sharedFallbackSkipped,
  };
}

/**
 * The plan and worst-case quote of a validated request: the one quote every hold is placed for. With
 * the account's own keys (BYOK) their providers become usable and carry the BYOK fee.
 */
function planAndQuote(
  deps: QuoteDeps,
  input: PreparedInput,
  keys: ReadonlyMap<string, ByokCredential>,
  basis: Pick<QuoteBasis, "images" | "promptTokensEstimate" | "servable">,
): { plan: RoutePlan; quote: Quote } {
  // the account's own keys make their providers usable even where the operator has no key
  const routing: RoutingRequest = keys.size > 0 ? { ...input.routing, ownKeyProviders: new Set(keys.keys()) } : input.routing;
  let plan = planRoute(routing, deps.catalog, deps.planner());
  if (basis.servable) plan = servableOnly(plan, basis.servable);
  if (deps.byok && keys.size > 0) plan = withAccountKeys(plan, keys, deps.byok.feeBps);
  const quote = quoteWorstCase(plan.attempts, basis.promptTokensEstimate, input.routing.maxTokens, basis.images, deps.feeBps);
  return { plan, quote };
}

/**
 * The worst-case quote of a chat body before anyone is known to pay for it (shared capacity, no
 * account keys): what a request paid per call (x402) is asked for, the same quote its hold is placed for.
 * Throws the 400/404 a malformed body or an unknown model gets.
 */
export function quoteRequest(deps: QuoteDeps, body: unknown): Quote {
  const input = parseChatInput(body, {});
  return quoteShared(deps, input, { images: countImages(input.request.messages), promptTokensEstimate: input.routing.promptTokensEstimate });
}

/** The worst-case quote of a validated request on shared capacity (no account keys). */
export function quoteShared(deps: QuoteDeps, input: PreparedInput, basis: Pick<QuoteBasis, "images" | "promptTokensEstimate" | "servable">): Quote {
  return planAndQuote(deps, input, new Map(), basis).quote;
}

/** The plan without the endpoints that cannot serve the request; a 404 naming why when none is left. */
function servableOnly(plan: RoutePlan, servable: (attempt: PlannedAttempt) => boolean): RoutePlan {
  const attempts = plan.attempts.filter(servable);
  if (attempts.length > 0) return { ...plan, attempts };
  const providers = [...new Set(plan.attempts.map((attempt) => attempt.endpoint.provider.name))].join(", ");
  throw notFound(`No endpoint of this model can serve this request: its providers (${providers}) do not offer it over their API.`, {
    availability: { code: "no_endpoints", retryable: false },
  });
}

/**
 * The error for a reservation that could not be made: how many output tokens the money left affords,
 * or, when it would afford the whole request but is reserved by requests still in flight (a
 * shared hold cannot lend across processes), that retrying shortly will do.
 */
export function refusal(
  reservation: Exclude<Awaited<ReturnType<Billing["reserve"]>>, { ok: true }>,
  quote: Quote,
  images: number,
  feeBps: number,
): AppError {
  if (reservation.reason === "no_account") return unauthorized("The account of this key no longer exists.");
  const availableNano = reservation.reason === "insufficient_balance" ? reservation.availableNano : reservation.remainingNano;
  const affordable = affordableOutputTokens(quote, availableNano < 0n ? 0n : availableNano, images, feeBps);
  const metadata = {
    required_usd: nanoToUsdString(quote.reservedNano),
    available_usd: nanoToUsdString(availableNano),
    requested_tokens: quote.outputTokens,
    affordable_tokens: affordable,
    model: quote.priciest.model.id,
  };
  // without max_tokens the hold is for the endpoint's output limit, or the bound sent upstream where it is unknown
  const requested = quote.maxTokensGiven
    ? `You requested up to ${quote.outputTokens} tokens`
    : `Without max_tokens this request is held for up to ${quote.outputTokens} output tokens`;
  if (affordable >= quote.outputTokens) {
    const whose = reservation.reason === "key_limit" ? "this key's remaining limit" : "your available balance";
    return paymentRequired(
      `This request needs up to $${metadata.required_usd}; ${whose} ($${metadata.available_usd}) would cover it, but part of it is reserved by requests still in flight. Retry in a moment.`,
      { ...metadata, reason: "reserved_in_flight", retryable: true },
    );
  }
  if (reservation.reason === "key_limit") {
    return paymentRequired(
      `This request would exceed this key's spending limit. ${requested}, but the key's remaining limit can only afford ${affordable}. Lower max_tokens, raise the key's limit, or create a key with a higher limit.`,
      { ...metadata, reason: "key_limit" },
    );
  }
  const byok = quote.priciest.byok;
  if (byok) {
    return paymentRequired(
      `This request runs on your own ${byok.provider} key, but the bring-your-own-key fee (${byok.feeBps / 100}% of the list price, up to $${metadata.required_usd}) is paid from credits. ` +
        `${requested}, but can only afford the fee for ${affordable}. Add credits to your farebox account, or lower max_tokens.`,
      { ...metadata, reason: "insufficient_balance", is_byok: true },
    );
  }
  return paymentRequired(
    `This request requires more credits, or fewer max_tokens. ${requested}, but can only afford ${affordable}. To increase, add credits to your farebox account.`,
    { ...metadata, reason: "insufficient_balance" },
  );
}

/**
 * The 402 of a request that produces no output tokens (embeddings): what its input costs at
 * most and what the money left (or the key's limit) is.
 */
function outputlessRefusal(reservation: Exclude<Awaited<ReturnType<Billing["reserve"]>>, { ok: true }>, quote: Quote): AppError {
  if (reservation.reason === "no_account") return unauthorized("The account of this key no longer exists.");
  const availableNano = reservation.reason === "insufficient_balance" ? reservation.availableNano : reservation.remainingNano;
  const metadata = {
    required_usd: nanoToUsdString(quote.reservedNano),
    available_usd: nanoToUsdString(availableNano),
    prompt_tokens: quote.promptTokens,
    model: quote.priciest.model.id,
  };
  const cost = `This request's ${quote.promptTokens} input tokens (estimate with headroom) cost up to $${metadata.required_usd}`;
  if (availableNano >= quote.reservedNano) {
    return paymentRequired(`${cost}; part of the money that would cover it is reserved by requests still in flight. Retry in a moment.`, {
      ...metadata,
      reason: "reserved_in_flight",
      retryable: true,
    });
  }
  if (reservation.reason === "key_limit") {
    return paymentRequired(`${cost}, more than this key's remaining limit ($${metadata.available_usd}). Send less input, raise the key's limit, or create a key with a higher limit.`, {
      ...metadata,
      reason: "key_limit",
    });
  }
  const byok = quote.priciest.byok;
  const what = byok ? `${cost} in bring-your-own-key fees (${byok.feeBps / 100}% of the list price, paid from credits)` : cost;
  return paymentRequired(`This request requires more credits. ${what}, but only $${metadata.available_usd} is available. Send less input, or add credits to your farebox account.`, {
    ...metadata,
    reason: "insufficient_balance",
    ...(byok ? { is_byok: true } : {}),
  });
}

function countImages(messages: readonly { content?: unknown }[]): number {
  let count = 0;
  for (const message of messages) {
    if (Array.isArray(message.content)) count += message.content.filter((part) => (part as { type?: string }).type === "image_url").length;
  }
  return count;
}

/** Puts the account's own keys first (BYOK), each attempt carrying its key and the BYOK fee. */
function withAccountKeys(plan: RoutePlan, keys: ReadonlyMap<string, ByokCredential>, feeBps: number): RoutePlan {
  const attempts = planWithByok(plan.attempts, keys).map(({ attempt, byok: key }) =>
    key ? { ...attempt, byok: { provider: key.provider, secret: key.secret, alwaysUse: key.alwaysUse, feeBps } } : attempt,
  );
  return { ...plan, attempts };
}
