import type { ProviderSecret } from "./secret.js";

/** An account's key for one provider, opened for this request. */
export interface ByokCredential {
  provider: string;
  secret: ProviderSecret;
  /** "Always use for this provider": never fall back to shared capacity of that provider. */
  alwaysUse: boolean;
}

/** The minimum the BYOK ordering needs to know about an attempt: its provider and whether the operator has a key there. */
export interface ProviderAttempt {
  endpoint: { provider: { slug: string; apiKey?: string | undefined } };
}

/** An attempt as the gateway should run it: with the account's key, or on shared capacity. */
export interface PlannedAttempt<A extends ProviderAttempt> {
  attempt: A;
  /** Present when this attempt runs on the account's own key (charged fees.byok_bps only). */
  byok?: ByokCredential;
}

/**
 * Puts the account's own keys first (reference §6): every attempt whose provider has a stored
 * key is tried with that key before any shared capacity, keeping the planner's order among
 * them (so `models` fallbacks and `provider.order` still apply within each group). Shared
 * attempts follow, except for providers whose key is marked "always use", providers the
 * operator has no key for (the planner let them through only for the account's own key) and,
 * when `allowSharedFallback` is false, all of them. Filters (data policy, price caps,
 * parameters) have already run in the planner, so BYOK never widens what the request allowed.
 */
export function planWithByok<A extends ProviderAttempt>(
  attempts: readonly A[],
  keys: ReadonlyMap<string, ByokCredential>,
  allowSharedFallback = true,
): PlannedAttempt<A>[] {
  const own: PlannedAttempt<A>[] = [];
  const shared: PlannedAttempt<A>[] = [];
  for (const attempt of attempts) {
    const key = keys.get(attempt.endpoint.provider.slug);
    if (key) own.push({ attempt, byok: key });
    if (key?.alwaysUse || attempt.endpoint.provider.apiKey === undefined) continue;
    shared.push({ attempt });
  }
  if (own.length === 0) return shared;
  return allowSharedFallback ? [...own, ...shared] : own;
}
