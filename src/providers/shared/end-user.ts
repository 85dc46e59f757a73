/**
 * What upstreams learn about the caller's end user. OpenRouter's `user` is a stable end-user id
 * for abuse isolation that is hashed before it goes upstream; here the hash is an HMAC-SHA256
 * keyed with the paying account's id, so the raw value never leaves, the same user maps to the
 * same upstream id on every request, and two accounts' "alice" are unrelated ids upstream.
 */
import { createHmac } from "node:crypto";
import type { ChatRequest } from "../spec.js";

/** The hex HMAC of `user` keyed by `accountId` (empty key when no account is known). */
export function hashEndUser(user: string, accountId: string | undefined): string {
  return createHmac("sha256", accountId ?? "").update(user, "utf8").digest("hex");
}

/** The end-user id to send upstream for a request, or undefined when it names none. */
export function upstreamEndUser(request: ChatRequest): string | undefined {
  return request.user === undefined || request.user === "" ? undefined : hashEndUser(request.user, request.accountId);
}
