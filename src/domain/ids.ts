import { randomBytes } from "node:crypto";

const ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** `length` characters from [A-Za-z0-9], uniformly (rejection sampling avoids modulo bias). */
export function randomAlphanumeric(length: number): string {
  let out = "";
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248 && out.length < length) out += ALPHANUMERIC[byte % 62];
    }
  }
  return out;
}

/** OpenRouter-shaped generation id: `gen-<unix seconds>-<20 alphanumerics>`. */
export function newGenerationId(now: Date = new Date()): string {
  return `gen-${Math.floor(now.getTime() / 1000)}-${randomAlphanumeric(20)}`;
}

/** A prefixed opaque id for stored rows (`acct_…`, `hold_…`). */
export function newId(prefix: string): string {
  return `${prefix}_${randomAlphanumeric(24)}`;
}
