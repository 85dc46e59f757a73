/** Maps the authenticated key of a request to the chat use case's Caller (account, key, limit). */
import type { FastifyRequest } from "fastify";
import type { Caller } from "../../gateway/ports.js";
import { limitWindowStart } from "../../keys/index.js";
import { callerKey } from "../plugins/auth.js";

/** The Caller of a request that passed `requireKey`; the key's limit window is computed at `now`. */
export function inferenceCaller(request: FastifyRequest, now: Date): Caller {
  const key = callerKey(request);
  const caller: Caller = { accountId: key.accountId, keyId: key.id };
  if (key.limitNano !== null) caller.limit = { limitNano: key.limitNano, windowStart: limitWindowStart(key.limitReset, now) };
  return caller;
}
