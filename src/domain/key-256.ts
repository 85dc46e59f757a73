/**
 * Reads a 256-bit key written as 64 hex characters or as base64 of 32 bytes
 * (`openssl rand -base64 32`); undefined when the text is neither. The format alone: the
 * configuration checks it at start, and the BYOK keyring builds its master keys with it.
 */
export function decodeKey256(text: string): Buffer | undefined {
  const trimmed = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Buffer.from(trimmed, "hex");
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) {
    const decoded = Buffer.from(trimmed, "base64");
    if (decoded.length === 32) return decoded;
  }
  return undefined;
}
