import { z } from "zod";
import { PROTOCOLS } from "../domain/protocols.js";
import { authSchema } from "./auth-schema.js";
import { decodeKey256 } from "../domain/key-256.js";
import { chainsSchema } from "./chains-schema.js";
import { serverSchema } from "./server-schema.js";
import { x402Problems, x402Schema } from "./x402-schema.js";
import { DEFAULT_WORKER_BUSY, DEFAULT_WORKER_IDLE_SECONDS, DEFAULT_WORKER_SPARE_CORES, MAX_WORKERS, parseWorkerBusy, parseWorkerCount, parseWorkerIdleSeconds, parseWorkerSpareCores, POSTGRES_URL } from "./process-count.js";

/** USD decimal string as OpenRouter writes prices ("0.00000015"); parsed to integers by the catalog. */
const usdDecimal = z.string().regex(/^\d+(\.\d+)?$/, "must be a plain decimal string such as \"0.0000006\"");

/** A long-context price: these token prices apply to a request whose prompt exceeds the threshold. */
const priceTierSchema = z.object({
  above_prompt_tokens: z.number().int().nonnegative(),
  prompt: usdDecimal.optional(),
  completion: usdDecimal.optional(),
  input_cache_read: usdDecimal.optional(),
  input_cache_write: usdDecimal.optional(),
});

const pricingSchema = z.object({
  prompt: usdDecimal,
  completion: usdDecimal,
  request: usdDecimal.optional(),
  image: usdDecimal.optional(),
  input_cache_read: usdDecimal.optional(),
  input_cache_write: usdDecimal.optional(),
  tiers: z.array(priceTierSchema).optional(),
});

const providerSchema = z.object({
  protocol: z.enum(PROTOCOLS),
  base_url: z.string().url(),
  /** Absent (or an unset `${VAR}`): the provider is listed but its models answer 503. */
  api_key: z.string().min(1).optional(),
  name: z.string().optional(),
  headers: z.record(z.string(), z.string()).default({}),
  data_collection: z.enum(["allow", "deny"]).optional(),
  /** `auto`: list the upstream's models at start and every hour and add them to the catalog. */
  models: z.literal("auto").optional(),
  /** `free`: the provider's discovered models cost nothing (Ollama, vLLM on the operator's hardware). */
  pricing: z.literal("free").optional(),
  /** Parameters the upstream accepts beyond its protocol's default (e.g. a vendor's own fields). */
  extra_parameters: z.array(z.string().min(1)).optional(),
  /** The upstream also serves OpenAI's legacy `POST {base}/completions` (raw prompts, no chat template). */
  text_completions: z.boolean().optional(),
});

const inputModalities = z.array(z.enum(["text", "image", "audio", "file"]));

const endpointSchema = z.object({
  provider: z.string().min(1),
  model: z.string().min(1),
  pricing: pricingSchema,
  context_length: z.number().int().positive().optional(),
  max_completion_tokens: z.number().int().positive().optional(),
  /** What this endpoint reads when it differs from the model's (one provider may take PDFs, another not). */
  input_modalities: inputModalities.optional(),
  supported_parameters: z.array(z.string()).optional(),
  quantization: z.string().optional(),
});

const modelSchema = z.object({
  id: z.string().regex(/^[\w.-]+\/[\w.:-]+$/, "must look like author/slug"),
  /** `embeddings`: served only by /embeddings (billed per input token); chat when absent. */
  kind: z.enum(["chat", "embeddings"]).optional(),
  name: z.string().optional(),
  description: z.string().optional(),
  context_length: z.number().int().positive(),
  max_completion_tokens: z.number().int().positive().optional(),
  input_modalities: inputModalities.optional(),
  supported_parameters: z.array(z.string()).optional(),
  endpoints: z.array(endpointSchema).min(1),
});

/** The optional YAML file (FAREBOX_CONFIG). Section names are fixed by the README. */
export const fileSchema = z
  .object({
    fees: z
      .object({
        credit_bps: z.number().int().min(0).max(10_000).default(500),
        byok_bps: z.number().int().min(0).max(10_000).default(0),
      })
      .strict()
      .default({ credit_bps: 500, byok_bps: 0 }),
    providers: z.record(z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, "provider slugs are lowercase"), providerSchema).default({}),
    models: z.array(modelSchema).default([]),
    catalog: z
      .object({
        include_default: z.boolean().default(true),
        /** `daily`: refresh prices from the price database's published data (network); absent or `off`: never. */
        update_prices: z.enum(["off", "daily"]).optional(),
        /**
         * Output tokens a request without max_tokens is held for (and sent upstream as max_tokens)
         * on an endpoint whose output limit no source publishes.
         */
        unknown_output_limit_tokens: z.number().int().positive().optional(),
      })
      .strict()
      .default({ include_default: true }),
    chains: chainsSchema,
    auth: authSchema,
    server: serverSchema,
    x402: x402Schema,
  })
  .strict()
  .superRefine((file, ctx) => {
    for (const problem of x402Problems(file.x402, file.chains)) ctx.addIssue({ code: z.ZodIssueCode.custom, ...problem });
  });

/** A BYOK master key: 32 bytes as 64 hex characters or base64 (`openssl rand -base64 32`). */
const masterKeyText = z.string().refine((text) => decodeKey256(text) !== undefined, { message: "must be 32 bytes as 64 hex characters or base64" });

const logLevels = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/**
 * A process-count variable, checked with the parser main.ts uses before the config loads
 * (process-count.ts): a value it refuses is reported with `message`.
 */
function processVariable<T>(unset: string, parse: (text: string) => T | undefined, message: string) {
  return z
    .string()
    .default(unset)
    .transform((text, context) => {
      const value = parse(text);
      if (value !== undefined) return value;
      context.addIssue({ code: "custom", message });
      return z.NEVER;
    });
}

/** Process environment: only these variables are read (DESIGN.md: config is the only reader of process.env). */
export const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65_535).default(8080),
  HOST: z.string().min(1).default("0.0.0.0"),
  DATABASE_URL: z
    .string()
    .regex(POSTGRES_URL, "must be a postgres:// URL")
    .optional(),
  DATA_DIR: z.string().min(1).default("./data"),
  FAREBOX_CONFIG: z.string().min(1).optional(),
  FAREBOX_ADMIN_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
  LOG_LEVEL: z.enum(logLevels).default("info"),
  /** Gateway processes serving the port on PostgreSQL ("auto": as the load needs, up to one per core); embedded PGlite always runs one. */
  FAREBOX_WORKERS: processVariable("auto", parseWorkerCount, `must be auto or a whole number from 1 to ${MAX_WORKERS}`),
  /** With FAREBOX_WORKERS=auto: the mean event-loop utilization at which more processes start. */
  FAREBOX_WORKER_BUSY: processVariable(String(DEFAULT_WORKER_BUSY), parseWorkerBusy, "must be a utilization from 0.1 to 1 (e.g. 0.9)"),
  /** With FAREBOX_WORKERS=auto: the idle cores the machine must have for another process to start. */
  FAREBOX_WORKER_SPARE_CORES: processVariable(String(DEFAULT_WORKER_SPARE_CORES), parseWorkerSpareCores, `must be a number of cores from 0 to ${MAX_WORKERS} (e.g. 0.5)`),
  /** With FAREBOX_WORKERS=auto: how long a worker the load no longer needs stays before it retires. */
  FAREBOX_WORKER_IDLE_SECONDS: processVariable(String(DEFAULT_WORKER_IDLE_SECONDS), parseWorkerIdleSeconds, "must be a whole number of seconds from 1 to 86400"),
  FAREBOX_BYOK_MASTER_KEY: masterKeyText.optional(),
  /** Shared counters (per-key requests per minute) across processes; unset → key rate limits are off. */
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, "must be a redis:// or rediss:// URL")
    .optional(),
  /** Older master keys, comma-separated: rows they sealed still open until re-sealed. */
  FAREBOX_BYOK_MASTER_KEY_PREVIOUS: z
    .string()
    .optional()
    .refine((value) => value === undefined || value.split(",").every((part) => decodeKey256(part) !== undefined), {
      message: "each comma-separated key must be 32 bytes as 64 hex characters or base64",
    }),
});

export type FileConfig = z.infer<typeof fileSchema>;
export type ProviderConfig = z.infer<typeof providerSchema>;
export type ModelConfig = z.infer<typeof modelSchema>;
export type EndpointConfig = z.infer<typeof endpointSchema>;
export type PricingConfig = z.infer<typeof pricingSchema>;

/** The frozen, validated configuration handed to every part of the process. */
export interface Config extends FileConfig {
  port: number;
  host: string;
  /** Unset: embedded PGlite in `dataDir`. */
  databaseUrl: string | undefined;
  dataDir: string;
  configPath: string | undefined;
  /** Unset: the admin API is disabled. */
  adminToken: string | undefined;
  logLevel: (typeof logLevels)[number];
  /** Gateway processes on PostgreSQL: a count, or "auto" for as many as the load needs, up to one per core. */
  workers: number | "auto";
  /** With `workers` "auto": the mean event-loop utilization at which more processes start. */
  workerBusy: number;
  /** With `workers` "auto": the idle cores the machine must have for another process to start. */
  workerSpareCores: number;
  /** With `workers` "auto": seconds a worker the load no longer needs stays before it retires. */
  workerIdleSeconds: number;
  /** Unset: BYOK is off (its routes answer 503). */
  byokMasterKey: string | undefined;
  byokPreviousMasterKeys: string | undefined;
  /** Unset: per-key requests-per-minute limits are not enforced. */
  redisUrl: string | undefined;
}
