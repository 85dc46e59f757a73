/**
 * Discovery's contract with the protocol folders: each lists an upstream's models
 * (`GET …/models`) into one neutral shape. Listing is plain `fetch` (injected, so tests and the
 * worker control it) with the worker's AbortSignal; a non-2xx answer or an unreadable body
 * throws, naming the URL and status.
 */
import type { ListedModel } from "../../domain/listed-model.js";

export type { ListedModel };


/** Where and how to reach the upstream. */
export interface ListingTarget {
  baseUrl: string;
  apiKey: string | undefined;
  headers: Record<string, string>;
}

/** Lists one upstream's models. */
export type ModelLister = (target: ListingTarget, fetch: typeof globalThis.fetch, signal: AbortSignal) => Promise<ListedModel[]>;

/** GETs `url` and returns its JSON, throwing a message with the URL and status on failure. */
export async function getJson(fetch: typeof globalThis.fetch, url: string, headers: Record<string, string>, signal: AbortSignal): Promise<unknown> {
  const response = await fetch(url, { headers: { accept: "application/json", ...headers }, signal });
  if (!response.ok) {
    await response.body?.cancel();
    throw new Error(`GET ${url.replace(/key=[^&]+/, "key=…")} answered ${response.status}`);
  }
  return response.json();
}
