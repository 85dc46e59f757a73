import type { Nano } from "./money.js";

/**
 * What analytics needs to know about one generation once it has settled (success or error).
 * The gateway emits it from its single "generation settled" hook; rollups, rankings and
 * metrics are all updated from it.
 */
export interface SettledGeneration {
  /** The generation id ("gen-…"): rollups apply each id once. */
  id: string;
  accountId: string;
  /** The API key's id (not its secret or hash shown to the public). */
  apiKeyId: string;
  /** Catalog model id, "author/slug". */
  model: string;
  /** Serving provider; for a request that failed everywhere, the last one tried. */
  provider: string;
  createdAt: Date;
  /** HTTP-Referer as sent, if any; only its origin is kept. */
  appReferer?: string | null;
  /** X-Title / X-OpenRouter-Title as sent, if any. */
  appTitle?: string | null;
  promptTokens: number;
  completionTokens: number;
  reasoningTokens: number;
  cachedTokens: number;
  /** Served with the account's own provider key. */
  isByok: boolean;
  /** Provider list-price cost debited from credit (ledger usage entry); 0 for BYOK. */
  creditUsageNano: Nano;
  /** Fee debited from credit (ledger fee entry): 5% on credit, fees.byok_bps on BYOK. */
  feeNano: Nano;
  /** What the provider charged the account's own key (BYOK only; 0 otherwise). */
  byokUpstreamNano: Nano;
  /** Total request time in ms. */
  latencyMs: number;
  /** Time to first token in ms, when known. */
  ttftMs?: number | null;
  /** Time spent generating (first to last token) in ms, when known; used for throughput. */
  generationTimeMs?: number | null;
  /** False when the request ended in an error. */
  ok: boolean;
  /** HTTP status returned to the client (200 for success). */
  status: number;
  streamed: boolean;
}
