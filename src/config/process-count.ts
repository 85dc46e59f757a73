/**
 * How many gateway processes serve, from the environment alone (DATABASE_URL, FAREBOX_WORKERS):
 * main.ts decides it before anything else is loaded. The config schema parses FAREBOX_WORKERS with
 * the same function.
 */

/** What DATABASE_URL must look like. */
export const POSTGRES_URL = /^postgres(ql)?:\/\//;

/** The most gateway processes FAREBOX_WORKERS may ask for. */
export const MAX_WORKERS = 256;

/** FAREBOX_WORKERS: "auto" (one per core) or a whole number from 1 to {@link MAX_WORKERS}; undefined when it is neither. */
export function parseWorkerCount(text: string): number | "auto" | undefined {
  if (text === "auto") return "auto";
  if (!/^\d{1,3}$/.test(text.trim())) return undefined;
  const count = Number(text);
  return count >= 1 && count <= MAX_WORKERS ? count : undefined;
}

/**
 * Gateway processes for this environment: embedded PGlite cannot be shared, so it runs one;
 * PostgreSQL one per core, or FAREBOX_WORKERS. A value the config refuses counts as 1: that one
 * process's config check then reports it.
 */
export function processCount(env: Record<string, string | undefined>, cores: number): number {
  if (!POSTGRES_URL.test(env.DATABASE_URL ?? "")) return 1;
  const workers = parseWorkerCount(env.FAREBOX_WORKERS ?? "auto") ?? 1;
  return workers === "auto" ? cores : workers;
}
