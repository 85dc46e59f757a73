import { createHash, randomBytes } from "node:crypto";

/** Inference and management keys share this prefix; the secret after it is 256 random bits. */
export const KEY_PREFIX = "sk-fb-v1-";

export interface MintedSecret {
  /** The plaintext key, shown to its owner once and never stored. */
  secret: string;
  /** sha256 hex of the secret: what the database stores and OpenRouter calls the key's `hash`. */
  hash: string;
  /** A recognizable, non-secret form for listings: `sk-fb-v1-abc...xyz`. */
  label: string;
}

export function mintSecret(): MintedSecret {
  const secret = `${KEY_PREFIX}${randomBytes(32).toString("hex")}`;
  return { secret, hash: hashSecret(secret), label: labelFor(secret) };
}

export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

function labelFor(secret: string): string {
  const body = secret.slice(KEY_PREFIX.length);
  return `${KEY_PREFIX}${body.slice(0, 3)}...${body.slice(-3)}`;
}
