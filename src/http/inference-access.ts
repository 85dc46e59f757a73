/**
 * Who may call an inference route, and on whose balance: a bearer inference key, or, with x402 enabled
 * and no key sent, a payment made in the request itself or a wallet that paid before signing in with
 * the x402 `sign-in-with-x` extension (src/x402). Every inference route registers
 * `access.preHandler(quote)` and reads the Caller with `inferenceCaller`, whatever its wire format:
 * `quote` gives its body's worst case (the same quote its hold is placed for), which is what a payer
 * is asked for.
 */
import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler, preHandlerHookHandler } from "fastify";
import type { Caller } from "../gateway/ports.js";
import type { Nano } from "../domain/money.js";
import { limitWindowStart, type KeyResolver } from "../keys/index.js";
import { PAYMENT_SIGNATURE_HEADER, SIGN_IN_WITH_X } from "../x402/headers.js";
import type { X402Payments } from "../x402/payments.js";
import { callerKey, keyCheck, requireKey, type KeySources } from "./plugins/auth.js";

/** What deciding access needs. */
export interface InferenceAccessDeps {
  keys: KeyResolver;
  /** Absent: x402 is disabled and a request without a key is refused with 401. */
  x402?: X402Payments | undefined;
}

/** The access check of the inference routes. */
export interface InferenceAccess {
  /** The pre-handler of one inference route; `quote` is its body's worst-case charge (throws the 400 a bad body gets). */
  preHandler(quote: (body: unknown) => Nano, sources?: KeySources): preHandlerHookHandler;
  /** An inference key only (a route that costs nothing, such as counting tokens). */
  keyOnly(sources?: KeySources): preHandlerAsyncHookHandler;
}

/** Builds the access check of the inference routes. */
export function inferenceAccess(deps: InferenceAccessDeps): InferenceAccess {
  return {
    keyOnly: (sources) => requireKey(deps.keys, ["inference"], sources),
    preHandler(quoteOf, sources = {}) {
      const checkKey = keyCheck(deps.keys, ["inference"], sources);
      const pay = async (x402: X402Payments, request: FastifyRequest, reply: FastifyReply): Promise<void> => {
        const quote = quoteOf(request.body);
        const resource = { url: `${request.protocol}://${request.host}${request.url}`, description: "farebox model inference" };
        const header = (name: string) => {
          const value = request.headers[name.toLowerCase()];
          return Array.isArray(value) ? value[0] : value;
        };
        const signature = header(PAYMENT_SIGNATURE_HEADER);
        const signIn = header(SIGN_IN_WITH_X);
        if (!signature && !signIn) throw await x402.required(resource, quote);
        const paid = signature ? await x402.pay(signature, resource, quote) : await x402.signIn(signIn!, resource, quote);
        request.paidCaller = { accountId: paid.accountId, keyId: paid.keyId };
        // on the raw response, so both a JSON answer and a stream carry it
        for (const [name, value] of Object.entries(paid.headers)) reply.raw.setHeader(name, value);
      };
      // a callback hook: a key checked lately passes without a promise (auth.ts, keyCheck)
      return function (request, reply, done) {
        const x402 = deps.x402;
        const sentKey = request.headers.authorization !== undefined || (sources.apiKeyHeader === true && request.headers["x-api-key"] !== undefined);
        if (!x402 || sentKey) {
          const refusal = checkKey(request);
          if (refusal instanceof Promise) refusal.then(done, done);
          else done(refusal);
          return;
        }
        pay(x402, request, reply).then(() => done(), done);
      };
    },
  };
}

/** The Caller of a request that passed an inference pre-handler; a key's limit window is computed at `now`. */
export function inferenceCaller(request: FastifyRequest, now: Date): Caller {
  if (request.paidCaller) return request.paidCaller;
  const key = callerKey(request);
  const caller: Caller = { accountId: key.accountId, keyId: key.id };
  if (key.limitNano !== null) caller.limit = { limitNano: key.limitNano, windowStart: limitWindowStart(key.limitReset, now) };
  return caller;
}
