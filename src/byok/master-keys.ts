import { createHash } from "node:crypto";
import { decodeKey256 } from "../domain/key-256.js";

/** One 256-bit master key and the short id stored beside every row it sealed. */
export interface MasterKey {
  /** First 16 hex characters of sha256("farebox-byok-key-id" ‖ key): identifies, never reveals. */
  id: string;
  key: Buffer;
}

/** The current master key (seals new rows) plus older ones (open rows until they are re-sealed). */
export interface MasterKeyring {
  current: MasterKey;
  previous: readonly MasterKey[];
}

/** Raised when a configured master key is malformed; the message never contains the key. */
export class MasterKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MasterKeyError";
  }
}

/**
 * Parses a master key written as 64 hex characters or as base64 of 32 bytes
 * (`openssl rand -base64 32`). `name` is the setting's name, used in error messages.
 */
export function parseMasterKey(text: string, name: string): MasterKey {
  const key = decodeKey256(text);
  if (key === undefined) {
    throw new MasterKeyError(`${name} must be 32 bytes written as 64 hex characters or base64 (openssl rand -base64 32)`);
  }
  return { id: masterKeyId(key), key };
}

/** The id under which rows sealed by `key` are stored. */
export function masterKeyId(key: Buffer): string {
  return createHash("sha256").update("farebox-byok-key-id").update(key).digest("hex").slice(0, 16);
}

/**
 * Builds the keyring from the current key and a comma-separated list of previous keys
 * (FAREBOX_BYOK_MASTER_KEY and FAREBOX_BYOK_MASTER_KEY_PREVIOUS in the config).
 */
export function buildKeyring(current: string, previous?: string): MasterKeyring {
  const currentKey = parseMasterKey(current, "FAREBOX_BYOK_MASTER_KEY");
  const older = (previous ?? "")
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part.length > 0)
    .map((part) => parseMasterKey(part, "FAREBOX_BYOK_MASTER_KEY_PREVIOUS"))
    .filter((key) => key.id !== currentKey.id);
  return { current: currentKey, previous: older };
}
