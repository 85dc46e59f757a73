/**
 * Sticky routing for prompt caching: once an endpoint that prices cache reads below fresh prompt
 * tokens has served a conversation, that conversation's next requests go to it first for a few
 * minutes, so the provider's cache (Anthropic's lives 5 minutes, refreshed on every hit) is hit
 * instead of rebuilt elsewhere. Conversations are keyed by account and session id (or a hash of
 * the opening messages, see gateway/chat-input.ts). Memory is bounded: the oldest entries go
 * first. Each gateway process keeps its own map, so behind a load balancer stickiness holds
 * per process.
 */
import type { Endpoint } from "../catalog/types.js";
import type { AffinityView } from "./types.js";

/** How long a conversation stays on its endpoint after its last request. */
export const SESSION_AFFINITY_TTL_MS = 5 * 60_000;
const MAX_SESSIONS = 100_000;

/** The endpoint that last served each conversation, while it is fresh. */
export class SessionAffinity implements AffinityView {
  private readonly entries = new Map<string, { endpointId: string; atMs: number }>();

  constructor(
    private readonly ttlMs: number = SESSION_AFFINITY_TTL_MS,
    private readonly maxSessions: number = MAX_SESSIONS,
  ) {}

  endpointFor(sessionKey: string, nowMs: number): string | undefined {
    const entry = this.entries.get(sessionKey);
    if (!entry) return undefined;
    if (nowMs - entry.atMs > this.ttlMs) {
      this.entries.delete(sessionKey);
      return undefined;
    }
    return entry.endpointId;
  }

  /** Records that `endpoint` served the conversation; only endpoints where caching saves money make it sticky. */
  served(sessionKey: string, endpoint: Endpoint, nowMs: number): void {
    if (!cachesCheaper(endpoint)) return;
    // re-inserting moves the key to the end: the map's order is least recently used first
    this.entries.delete(sessionKey);
    this.entries.set(sessionKey, { endpointId: endpoint.id, atMs: nowMs });
    while (this.entries.size > this.maxSessions) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }
}

/** True when the endpoint prices cache reads below fresh prompt tokens. */
export function cachesCheaper(endpoint: Endpoint): boolean {
  const read = endpoint.pricing.cacheReadNanoPerMillion;
  return read !== undefined && read < endpoint.pricing.promptNanoPerMillion;
}
