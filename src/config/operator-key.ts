/**
 * The operator's EVM private key, read only by the treasury commands (`treasury:deploy`,
 * `treasury:sweep`) from FAREBOX_OPERATOR_KEY; the gateway itself never holds a key.
 */
import { z } from "zod";
import type { Hex } from "viem";
import { ConfigError } from "./load.js";

const operatorKey = z
  .string({ error: "FAREBOX_OPERATOR_KEY is not set: export the operator's private key (0x + 64 hex) for this command" })
  .regex(/^0x[0-9a-fA-F]{64}$/, "FAREBOX_OPERATOR_KEY must be a 0x-prefixed 32-byte hex private key");

/** The operator key from the environment; a missing or malformed key is a ConfigError naming it. */
export function loadOperatorKey(env: Record<string, string | undefined> = process.env): Hex {
  const parsed = operatorKey.safeParse(env.FAREBOX_OPERATOR_KEY);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((issue) => issue.message));
  return parsed.data as Hex;
}
