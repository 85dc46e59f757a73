import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import type { z } from "zod";
import { envSchema, fileSchema, type Config } from "./schema.js";

/** Every problem found in the environment and the config file, each with the key's path. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

type Env = Record<string, string | undefined>;

const WHOLE_REFERENCE = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/;
const ANY_REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/**
 * Reads the environment and the optional YAML file (FAREBOX_CONFIG), validates both against one
 * schema, and returns a deep-frozen Config. Lists every problem at once rather than the first.
 */
export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const envResult = envSchema.safeParse(env);
  if (!envResult.success) problems.push(...describeIssues(envResult.error, "env"));

  const configPath = env.FAREBOX_CONFIG;
  let rawFile: unknown = {};
  if (configPath) {
    try {
      rawFile = parseYaml(readFileSync(configPath, "utf8")) ?? {};
    } catch (error) {
      problems.push(`${configPath}: ${(error as Error).message}`);
    }
  }
  const interpolated = interpolateEnv(rawFile, env, [], problems);
  const fileResult = fileSchema.safeParse(interpolated);
  if (!fileResult.success) problems.push(...describeIssues(fileResult.error, configPath ?? "config"));

  if (problems.length > 0 || !envResult.success || !fileResult.success) throw new ConfigError(problems);
  const e = envResult.data;
  return deepFreeze({
    ...fileResult.data,
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir: e.DATA_DIR,
    configPath,
    adminToken: e.FAREBOX_ADMIN_TOKEN,
    logLevel: e.LOG_LEVEL,
    workers: e.FAREBOX_WORKERS,
    workerBusy: e.FAREBOX_WORKER_BUSY,
    workerSpareCores: e.FAREBOX_WORKER_SPARE_CORES,
    workerIdleSeconds: e.FAREBOX_WORKER_IDLE_SECONDS,
    byokMasterKey: e.FAREBOX_BYOK_MASTER_KEY,
    byokPreviousMasterKeys: e.FAREBOX_BYOK_MASTER_KEY_PREVIOUS,
    redisUrl: e.REDIS_URL,
  });
}

/**
 * Replaces `${NAME}` in string values with the environment's value, so secrets never sit in
 * the file. A value that is exactly one unset reference is dropped (an optional key left
 * unconfigured); an unset reference inside a longer string is a problem.
 */
export function interpolateEnv(value: unknown, env: Env, path: string[], problems: string[]): unknown {
  if (typeof value === "string") {
    const whole = WHOLE_REFERENCE.exec(value);
    if (whole) return nonEmpty(env[whole[1]!]);
    return value.replace(ANY_REFERENCE, (_match, name: string) => {
      const resolved = nonEmpty(env[name]);
      if (resolved === undefined) problems.push(`${path.join(".")}: environment variable ${name} is not set`);
      return resolved ?? "";
    });
  }
  if (Array.isArray(value)) return value.map((item, index) => interpolateEnv(item, env, [...path, String(index)], problems));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const resolved = interpolateEnv(item, env, [...path, key], problems);
      if (resolved !== undefined) out[key] = resolved;
    }
    return out;
  }
  return value;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}

function describeIssues(error: z.ZodError, source: string): string[] {
  return error.issues.map((issue) => {
    const path = issue.path.map(String).join(".");
    return `${source}${path ? `: ${path}` : ""}: ${issue.message}`;
  });
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}
