/**
 * The wire protocols farebox speaks to upstreams, written once: the config accepts these, the
 * catalog's providers carry one, and the provider registry has one adapter for each.
 */
export const PROTOCOLS = ["openai", "anthropic", "gemini"] as const;

/** One upstream wire protocol. */
export type Protocol = (typeof PROTOCOLS)[number];
