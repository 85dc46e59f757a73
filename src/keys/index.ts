/** API keys: minting, storage as sha256, cached lookup, limit windows and per-key usage. */
export { KEY_PREFIX, hashSecret, mintSecret } from "./secret.js";
export { limitWindowStart } from "./limit-window.js";
export type { LimitReset } from "./limit-window.js";
export { accountKeyNames, createKey, deleteKey, findAccountKey, findKeyByHash, listKeys, updateKey } from "./repository.js";
export type { ApiKey, KeyChanges, KeyKind, NewKey } from "./repository.js";
export { changeAccountKey, createInferenceKey } from "./inference-keys.js";
export type { InferenceKeyInput } from "./inference-keys.js";
export { KeyResolver } from "./resolver.js";
export type { KeyCheck, KeyResolverOptions } from "./resolver.js";
export { NO_USAGE, keyUsage, usageInLimitWindow } from "./usage.js";
export type { KeyUsage } from "./usage.js";
export { formatInterval, parseInterval, rateLimitOf, takeRequest } from "./rate-limit.js";
export type { KeyRateLimit, RateLimitTake, RequestCounter } from "./rate-limit.js";
export { MemoryRequestCounter } from "./memory-request-counter.js";
export { RedisRequestCounter } from "./redis-request-counter.js";
