/**
 * The neutral shape a provider's model listing (discovery, `models: auto`) arrives in: written by
 * the protocol folders' listers, read by the catalog, which may not import providers.
 */

/** One model an upstream says it serves, with whatever facts its listing carries. */
export interface ListedModel {
  /** The id to send upstream. */
  id: string;
  name?: string;
  description?: string;
  /** Unix seconds. */
  created?: number;
  contextLength?: number;
  maxCompletionTokens?: number;
  inputModalities?: string[];
  supportedParameters?: string[];
  /** OpenRouter's pricing shape (USD per token strings), only from an OpenRouter-compatible listing. */
  pricing?: { prompt: string; completion: string; input_cache_read?: string; input_cache_write?: string };
}
