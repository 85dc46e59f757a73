/**
 * Base58 (Bitcoin's alphabet, as Solana writes keys and signatures): each leading "1" is a zero
 * byte, the rest a big-endian number, so every byte string has exactly one text. Written here
 * because the one library at hand that does it, @solana/web3.js, adds ≈20 MB of resident memory
 * to a process that imports it (measured alone in a bare node), and sign-in and deposit
 * attribution need only this.
 */
const ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/** The bytes `text` encodes, or null when it is empty, longer than 100 characters or not base58. */
export function decodeBase58(text: string): Buffer | null {
  if (text.length === 0 || text.length > 100) return null;
  let value = 0n;
  for (const char of text) {
    const digit = ALPHABET.indexOf(char);
    if (digit < 0) return null;
    value = value * 58n + BigInt(digit);
  }
  const bytes: number[] = [];
  while (value > 0n) {
    bytes.unshift(Number(value & 0xffn));
    value >>= 8n;
  }
  for (const char of text) {
    if (char !== "1") break;
    bytes.unshift(0);
  }
  return Buffer.from(bytes);
}

/** The base58 text of `bytes`. */
export function encodeBase58(bytes: Uint8Array): string {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  let text = "";
  while (value > 0n) {
    text = ALPHABET[Number(value % 58n)]! + text;
    value /= 58n;
  }
  for (const byte of bytes) {
    if (byte !== 0) break;
    text = `1${text}`;
  }
  return text;
}
