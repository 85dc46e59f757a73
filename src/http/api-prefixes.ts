/** Where the API answers: OpenRouter's base path, and /v1 for clients configured with a bare host. */
export const API_PREFIXES = ["/api/v1", "/v1"] as const;
