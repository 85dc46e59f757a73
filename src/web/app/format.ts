/** Display helpers. Money is shown from the API's decimal strings as they are: never through a float. */

/** "12.5" USD → "$12.50"; the exact digits are kept (at least two decimals). */
export function usd(decimal: string | number | null | undefined): string {
  if (decimal === null || decimal === undefined) return "–";
  const text = plain(String(decimal));
  const negative = text.startsWith("-");
  const [whole = "0", fraction = ""] = (negative ? text.slice(1) : text).split(".");
  return `${negative ? "-" : ""}$${whole}.${fraction.padEnd(2, "0")}`;
}

/** "1.5e-7" → "0.00000015": exponent notation (how JSON may write a tiny number) expanded by moving digits. */
export function plain(text: string): string {
  const match = /^(-?)(\d*)\.?(\d*)[eE]([+-]?\d+)$/.exec(text);
  if (!match) return text;
  const [, sign = "", whole = "", fraction = "", exponentText = "0"] = match;
  const digits = `${whole}${fraction}`;
  const point = whole.length + Number(exponentText);
  const padded = point <= 0 ? `${"0".repeat(1 - point)}${digits}` : digits.padEnd(point, "0");
  const at = Math.max(point, 1);
  const integer = padded.slice(0, at).replace(/^0+(?=\d)/, "");
  const decimals = padded.slice(at).replace(/0+$/, "");
  return `${sign}${integer}${decimals ? `.${decimals}` : ""}`;
}

/** A decimal string multiplied by 10^6, by moving its point: USD per token → USD per million tokens. */
export function perMillion(usdPerToken: string): string {
  const [whole = "0", fraction = ""] = usdPerToken.split(".");
  const digits = `${whole}${fraction.padEnd(6, "0")}`;
  const point = whole.length + 6;
  const integer = digits.slice(0, point).replace(/^0+(?=\d)/, "");
  const decimals = digits.slice(point).replace(/0+$/, "");
  return decimals ? `${integer}.${decimals}` : integer;
}

/** A whole count with thousands separators. */
export function count(value: number | null | undefined): string {
  return value === null || value === undefined ? "–" : value.toLocaleString("en-US");
}

/** A count followed by its noun, singular for one: "1 deposit", "2 deposits". */
export function counted(value: number, singular: string, plural = `${singular}s`): string {
  return `${count(value)} ${value === 1 ? singular : plural}`;
}

/** A short address: 0x1234…abcd. */
export function shortAddress(address: string): string {
  return address.length > 14 ? `${address.slice(0, 6)}…${address.slice(-4)}` : address;
}

/** A timestamp in the reader's locale. */
export function when(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleString() : "never";
}
