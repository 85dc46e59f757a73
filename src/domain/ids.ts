import { randomFillSync } from "node:crypto";

const ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/**
 * Random bytes drawn from a buffer refilled 4 KB at a time: one call into the CSPRNG per ~200
 * ids instead of one per id (every request makes an id). Each byte is handed out once.
 */
const pool = Buffer.alloc(4096);
let poolNext = pool.length;

function randomByte(): number {
  if (poolNext === pool.length) {
    randomFillSync(pool);
    poolNext = 0;
  }
  return pool[poolNext++]!;
}

const ALPHANUMERIC_CODES = Buffer.from(ALPHANUMERIC, "latin1");
/** Where an id's characters are written before they become one string (ids are short). */
const scratch = Buffer.alloc(64);

/**
 * `length` characters from [A-Za-z0-9], uniformly (rejection sampling avoids modulo bias). Written
 * as bytes and read as one string: appending a character at a time made a string per character
 * (≈0.5 KB per generation id, npm run bench:profile with PROFILE_ALLOCATIONS=1).
 */
export function randomAlphanumeric(length: number): string {
  const out = length <= scratch.length ? scratch : Buffer.alloc(length);
  let written = 0;
  while (written < length) {
    const byte = randomByte();
    if (byte < 248) out[written++] = ALPHANUMERIC_CODES[byte % 62]!;
  }
  return out.toString("latin1", 0, length);
}

/** OpenRouter-shaped generation id: `gen-<unix seconds>-<20 alphanumerics>`. */
export function newGenerationId(now: Date = new Date()): string {
  return `gen-${Math.floor(now.getTime() / 1000)}-${randomAlphanumeric(20)}`;
}

/** A prefixed opaque id for stored rows (`acct_…`, `hold_…`). */
export function newId(prefix: string): string {
  return `${prefix}_${randomAlphanumeric(24)}`;
}
