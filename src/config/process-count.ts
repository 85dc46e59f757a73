/**
 * How many gateway processes serve, from the environment alone (DATABASE_URL, FAREBOX_WORKERS,
 * FAREBOX_WORKER_BUSY, FAREBOX_WORKER_SPARE_CORES, FAREBOX_WORKER_IDLE_SECONDS): main.ts decides it
 * before anything else is loaded. The config schema parses the variables with the same functions.
 */

/** What DATABASE_URL must look like. */
export const POSTGRES_URL = /^postgres(ql)?:\/\//;

/** The most gateway processes FAREBOX_WORKERS may ask for. */
export const MAX_WORKERS = 256;

/** FAREBOX_WORKER_BUSY when unset: the mean event-loop utilization at which more processes start (wiring/process-scaling.ts). */
export const DEFAULT_WORKER_BUSY = 0.9;

/** FAREBOX_WORKER_SPARE_CORES when unset: the idle cores the machine must have for another process to start (wiring/process-scaling.ts). */
export const DEFAULT_WORKER_SPARE_CORES = 0.5;

/** FAREBOX_WORKER_IDLE_SECONDS when unset: how long a worker started for the load stays once the load no longer needs it. */
export const DEFAULT_WORKER_IDLE_SECONDS = 60;
const MAX_WORKER_IDLE_SECONDS = 86_400;

/** FAREBOX_WORKERS: "auto" (as many as the load needs, up to one per core) or a whole number from 1 to {@link MAX_WORKERS}; undefined when it is neither. */
export function parseWorkerCount(text: string): number | "auto" | undefined {
  if (text === "auto") return "auto";
  return wholeNumber(text, MAX_WORKERS);
}

/** FAREBOX_WORKER_IDLE_SECONDS: a whole number of seconds from 1 to a day; undefined otherwise. */
export function parseWorkerIdleSeconds(text: string): number | undefined {
  return wholeNumber(text, MAX_WORKER_IDLE_SECONDS);
}

/** FAREBOX_WORKER_BUSY: a utilization from 0.1 to 1 (at most two decimals); undefined otherwise. */
export function parseWorkerBusy(text: string): number | undefined {
  if (!/^(0?\.\d{1,2}|1(\.0{1,2})?)$/.test(text.trim())) return undefined;
  const value = Number(text);
  return value >= 0.1 ? value : undefined;
}

/** FAREBOX_WORKER_SPARE_CORES: a number of cores from 0 to {@link MAX_WORKERS} (at most two decimals); undefined otherwise. */
export function parseWorkerSpareCores(text: string): number | undefined {
  if (!/^(\d{1,3}(\.\d{1,2})?|\.\d{1,2})$/.test(text.trim())) return undefined;
  const value = Number(text);
  return value <= MAX_WORKERS ? value : undefined;
}

/** The gateway processes for an environment: `most` of them, all at once or as the load needs. */
export interface ProcessPlan {
  most: number;
  /** FAREBOX_WORKERS=auto on PostgreSQL: one process at first, more while the load needs them (wiring/process-scaling.ts). */
  followsLoad: boolean;
  /** With `followsLoad`: the mean event-loop utilization at which more processes start. */
  busy: number;
  /** With `followsLoad`: the idle cores the machine must have for another process to start. */
  spareCores: number;
  /** With `followsLoad`: how long a worker the load no longer needs stays before it retires. */
  idleMs: number;
}

/**
 * Gateway processes for this environment: embedded PGlite cannot be shared, so it runs one;
 * PostgreSQL as many as the load needs up to one per core, or FAREBOX_WORKERS at all times. A
 * value the config refuses counts as 1: that one process's config check then reports it.
 */
export function processPlan(env: Record<string, string | undefined>, cores: number): ProcessPlan {
  const busy = parseWorkerBusy(env.FAREBOX_WORKER_BUSY ?? String(DEFAULT_WORKER_BUSY)) ?? DEFAULT_WORKER_BUSY;
  const spareCores = parseWorkerSpareCores(env.FAREBOX_WORKER_SPARE_CORES ?? String(DEFAULT_WORKER_SPARE_CORES)) ?? DEFAULT_WORKER_SPARE_CORES;
  const idleMs = (parseWorkerIdleSeconds(env.FAREBOX_WORKER_IDLE_SECONDS ?? String(DEFAULT_WORKER_IDLE_SECONDS)) ?? DEFAULT_WORKER_IDLE_SECONDS) * 1000;
  if (!POSTGRES_URL.test(env.DATABASE_URL ?? "")) return { most: 1, followsLoad: false, busy, spareCores, idleMs };
  const workers = parseWorkerCount(env.FAREBOX_WORKERS ?? "auto") ?? 1;
  if (workers === "auto") return { most: cores, followsLoad: cores > 1, busy, spareCores, idleMs };
  return { most: workers, followsLoad: false, busy, spareCores, idleMs };
}

function wholeNumber(text: string, most: number): number | undefined {
  if (!/^\d{1,6}$/.test(text.trim())) return undefined;
  const value = Number(text);
  return value >= 1 && value <= most ? value : undefined;
}
