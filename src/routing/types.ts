/** Shapes the pure planner reads and returns. */
import type { Endpoint, Model, ModelKind } from "../catalog/types.js";
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
  /** Only endpoints serving one of these quantizations ("unknown" matches endpoints that state none). */
  quantizations?: string[];
  /** Soft: endpoints whose measured throughput (tokens/s) falls below any of these go last. */
  preferredMinThroughput?: PercentileThreshold[];
  /** Soft: endpoints whose measured time to first token (ms) exceeds any of these go last. */
  preferredMaxLatency?: PercentileThreshold[];
  /** With `sort`: "none" orders the endpoints of every listed model together instead of model by model. */
  partition?: "model" | "none";
}

/** A threshold on one percentile of an endpoint's recent measurements (5-minute window). */
export interface PercentileThreshold {
  percentile: "p50" | "p75" | "p90" | "p99";
  /** Tokens per second (throughput) or milliseconds (latency). */
  value: number;
}

/** What the planner needs to know about one chat request. */
export interface RoutingRequest {
  /** What the request is for: only models of this kind serve it (chat when absent). */
  kind?: ModelKind;
  /** The requested model id (may carry `:nitro` / `:floor`, or be `farebox/auto`). */
  model?: string;
  /** Fallback models, tried in order after `model`. */
  models?: string[];
  provider: ProviderPreferences;
  /** An estimate, used for context-window filtering and the hold only. */
  promptTokensEstimate: number;
  maxTokens?: number;
  hasImages: boolean;
  /** A `file` part (a PDF, say) is in the prompt: only endpoints reading "file" input qualify. */
  hasFiles?: boolean;
  /** An `input_audio` part is in the prompt: only endpoints reading "audio" input qualify. */
  hasAudio?: boolean;
  hasTools: boolean;
  wantsStructuredOutput: boolean;
  /** Request fields that map to `supported_parameters` (for `require_parameters`). */
  requestedParameters: string[];
  /**
   * Providers the calling account stored its own key for (BYOK). Their endpoints count as
   * configured even when the operator set no key, so the account can reach them with its own.
   */
  ownKeyProviders?: ReadonlySet<string>;
  /**
   * The conversation this request continues (its session id, or a hash of its opening), so it
   * can stay on the endpoint whose prompt cache holds it (see session-affinity.ts). Computed on
   * first call and kept: most requests never need it (one endpoint to choose from, or one whose
   * cache reads cost no less), and hashing the opening is then wasted.
   */
  sessionKey?: () => string;
}

/** Read-only view of endpoint health the planner consults. */
export interface HealthView {
  /** When the endpoint last failed (ms since epoch), if ever. */
  lastFailureAtMs(endpointId: string): number | undefined;
  /** Median time to first token over the last 5 minutes, when measured. */
  ttftP50Ms(endpointId: string, nowMs: number): number | undefined;
  /** Median output tokens per second over the last 5 minutes, when measured. */
  throughputP50(endpointId: string, nowMs: number): number | undefined;
  /** Time to first token at `fraction` (0.5, 0.75, 0.9, 0.99) over the last 5 minutes; views without it only know the median. */
  ttftPercentileMs?(endpointId: string, nowMs: number, fraction: number): number | undefined;
  /** Output tokens per second at `fraction` over the last 5 minutes. */
  throughputPercentile?(endpointId: string, nowMs: number, fraction: number): number | undefined;
}

/** Which endpoint served a conversation lately (session-affinity.ts). */
export interface AffinityView {
  endpointFor(sessionKey: string, nowMs: number): string | undefined;
}

/** One upstream attempt, in the order the gateway should try them. */
export interface PlannedAttempt {
  model: Model;
  endpoint: Endpoint;
  /** Set when the attempt runs on the account's own provider key (BYOK): that key, and the BYOK fee. */
  byok?: { provider: string; secret: { reveal(): string; readonly lastFour: string }; alwaysUse: boolean; feeBps: number };
  /**
   * True when the request carries images, files or audio and no source states whether this
   * endpoint reads them: its 4xx rejection is then taken as "cannot read it" and the model's next
   * endpoint is tried, instead of giving the model up as for a request at fault.
   */
  inputUnverified?: boolean;
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
  /** Keeps a conversation on the endpoint whose prompt cache holds it; absent: no stickiness. */
  affinity?: AffinityView;
  nowMs: number;
  random: () => number;
}
