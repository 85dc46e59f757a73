/**
 * The steps before any upstream call: validate, plan, quote the worst case and reserve it.
 * A request that cannot be paid for is refused here with a 402 saying how many output tokens
 * the balance (or the key's limit) affords.
 */
import type { Catalog } from "../catalog/types.js";
import type { AppError} from "../domain/errors.js";
import { paymentRequired, unauthorized } from "../domain/errors.js";
import { newGenerationId } from "../domain/ids.js";
import { nanoToUsdString } from "../domain/money.js";
import { planRoute } from "../routing/planner.js";
import type { PlannerContext, RoutePlan, RoutingRequest } from "../routing/types.js";
import { parseChatInput, type ChatInput } from "./chat-input.js";
import type { Billing, ByokKeys, Caller } from "./ports.js";
import { planWithByok, type ByokCredential } from "../byok/byok-plan.js";
import { affordableOutputTokens, quoteWorstCase, type Quote } from "./quote.js";

/** A request that reserved its worst case and is ready for its attempts. */
export interface Prepared {
  id: string;
  createdAt: Date;
  input: ChatInput;
  plan: RoutePlan;
  quote: Quote;
  holdId: string;
  images: number;
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

/** Validates, plans, quotes and reserves the worst case; throws the AppError a client should see. */
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
  if (input.routing.sessionKey !== undefined) input.routing.sessionKey = `${caller.accountId}|${input.routing.sessionKey}`;
  const keys: ReadonlyMap<string, ByokCredential> = deps.byok ? await deps.byok.keysFor(caller.accountId) : new Map();
  const planned = planAndQuote(deps, input, keys);
  let { plan, quote } = planned;
  const { images } = planned;
  const { promptTokensEstimate, maxTokens } = input.routing;
  const now = deps.now();
  let reservation = await deps.billing.reserve({ caller, amountNano: quote.reservedNano, now });
  const own = plan.attempts.filter((attempt) => attempt.byok);
  let sharedFallbackSkipped = false;
  if (!reservation.ok && reservation.reason !== "no_account" && own.length > 0 && own.length < plan.attempts.length) {
    // the balance cannot back shared capacity, but the account's own keys need only their fee
    plan = { ...plan, attempts: own };
    quote = quoteWorstCase(own, promptTokensEstimate, maxTokens, images, deps.feeBps);
    reservation = await deps.billing.reserve({ caller, amountNano: quote.reservedNano, now });
    sharedFallbackSkipped = true;
  }
  if (!reservation.ok) throw refusal(reservation, quote, images, deps.feeBps);
  return {
    id: generationId ?? newGenerationId(now),
    createdAt: now,
    input,
    plan,
    quote,
    holdId: reservation.holdId,
    images,
    requestedModel: input.routing.model ?? input.routing.models?.[0] ?? "",
    sharedFallbackSkipped,
  };
}

/**
 * The plan and worst-case quote of a validated request: the one quote every hold is placed for. With
 * the account's own keys (BYOK) their providers become usable and carry the BYOK fee.
 */
function planAndQuote(
  deps: Pick<PrepareDeps, "catalog" | "byok" | "feeBps" | "planner">,
  input: ChatInput,
  keys: ReadonlyMap<string, ByokCredential>,
): { plan: RoutePlan; quote: Quote; images: number } {
  // the account's own keys make their providers usable even where the operator has no key
  const routing: RoutingRequest = keys.size > 0 ? { ...input.routing, ownKeyProviders: new Set(keys.keys()) } : input.routing;
  let plan = planRoute(routing, deps.catalog, deps.planner());
  if (deps.byok && keys.size > 0) plan = withAccountKeys(plan, keys, deps.byok.feeBps);
  const images = countImages(input.request.messages);
  const quote = quoteWorstCase(plan.attempts, input.routing.promptTokensEstimate, input.routing.maxTokens, images, deps.feeBps);
  return { plan, quote, images };
}

/**
 * The worst-case quote of a request body before anyone is known to pay for it (shared capacity, no
 * account keys): what a request paid per call (x402) is asked for, the same quote its hold is placed for.
 * Throws the 400/404 a malformed body or an unknown model gets.
 */
export function quoteRequest(deps: Pick<PrepareDeps, "catalog" | "byok" | "feeBps" | "planner">, body: unknown): Quote {
  return planAndQuote(deps, parseChatInput(body, {}), new Map()).quote;
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
