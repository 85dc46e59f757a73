/** Shapes the pure planner reads and returns. */
import type { Endpoint, Model } from "../catalog/types.js";
import type { Pricing } from "../domain/charge.js";

/** How to order endpoints (OpenRouter's `provider.sort`). */
export type SortBy = "price" | "throughput" | "latency";

/** OpenRouter's `provider` object after validation; prices already exact integers. */
export interface ProviderPreferences {
  order?: string[];
  allowFallbacks: boolean;
  only?: string[];
  ignore?: string[];
  sort?: SortBy;
  /** Caps in nano-USD per million tokens (request and image: nano-USD per unit). */
  maxPrice?: Partial<Pick<Pricing, "promptNanoPerMillion" | "completionNanoPerMillion" | "requestNano" | "imageNano">>;
  requireParameters: boolean;
  dataCollection: "allow" | "deny";
}

/** What the planner needs to know about one chat request. */
export interface RoutingRequest {
  /** The requested model id (may carry `:nitro` / `:floor`, or be `farebox/auto`). */
  model?: string;
  /** Fallback models, tried in order after `model`. */
  models?: string[];
  provider: ProviderPreferences;
  /** An estimate, used for context-window filtering and the hold only. */
  promptTokensEstimate: number;
  maxTokens?: number;
  hasImages: boolean;
  hasTools: boolean;
  wantsStructuredOutput: boolean;
  /** Request fields that map to `supported_parameters` (for `require_parameters`). */
  requestedParameters: string[];
  /**
   * Providers the calling account stored its own key for (BYOK). Their endpoints count as
   * configured even when the operator set no key, so the account can reach them with its own.
   */
  ownKeyProviders?: ReadonlySet<string>;
}

/** Read-only view of endpoint health the planner consults. */
export interface HealthView {
  /** When the endpoint last failed (ms since epoch), if ever. */
  lastFailureAtMs(endpointId: string): number | undefined;
  /** Median time to first token over the last 5 minutes, when measured. */
  ttftP50Ms(endpointId: string, nowMs: number): number | undefined;
  /** Median output tokens per second over the last 5 minutes, when measured. */
  throughputP50(endpointId: string, nowMs: number): number | undefined;
}

/** One upstream attempt, in the order the gateway should try them. */
export interface PlannedAttempt {
  model: Model;
  endpoint: Endpoint;
  /** Set when the attempt runs on the account's own provider key (BYOK): that key, and the BYOK fee. */
  byok?: { provider: string; secret: { reveal(): string; readonly lastFour: string }; alwaysUse: boolean; feeBps: number };
}

/** The planner's answer. */
export interface RoutePlan {
  attempts: PlannedAttempt[];
  /** Set when the request asked for an auto router (the response names the chosen model). */
  router: string | undefined;
}

/** Inputs besides the request. `random` returns [0, 1) and makes load balancing reproducible. */
export interface PlannerContext {
  health: HealthView;
  nowMs: number;
  random: () => number;
}
