/**
 * The Sign-In With Solana text message (phantom/sign-in-with-solana, as produced by
 * `createSignInMessageText` in @solana/wallet-standard-util): built server-side for the
 * challenge and parsed back on verify. Pure, no I/O.
 */

/** The fields of a SIWS message; `domain` and `address` are always present. */
export interface SiwsFields {
  domain: string;
  address: string;
  statement?: string;
  uri?: string;
  version?: string;
  chainId?: string;
  nonce?: string;
  issuedAt?: string;
  expirationTime?: string;
  notBefore?: string;
  requestId?: string;
  resources?: string[];
}

const HEADER_SUFFIX = " wants you to sign in with your Solana account:";

const FIELD_LABELS = [
  ["uri", "URI"],
  ["version", "Version"],
  ["chainId", "Chain ID"],
  ["nonce", "Nonce"],
  ["issuedAt", "Issued At"],
  ["expirationTime", "Expiration Time"],
  ["notBefore", "Not Before"],
  ["requestId", "Request ID"],
] as const;

type LabelledField = (typeof FIELD_LABELS)[number][0];

/** Renders the exact text a wallet signs for these fields (absent fields are omitted). */
export function buildSiwsMessage(fields: SiwsFields): string {
  let message = `${fields.domain}${HEADER_SUFFIX}\n${fields.address}`;
  if (fields.statement !== undefined) message += `\n\n${fields.statement}`;
  const lines: string[] = [];
  for (const [key, label] of FIELD_LABELS) {
    const value = fields[key];
    if (value !== undefined) lines.push(`${label}: ${value}`);
  }
  if (fields.resources !== undefined) {
    lines.push("Resources:");
    for (const resource of fields.resources) lines.push(`- ${resource}`);
  }
  if (lines.length > 0) message += `\n\n${lines.join("\n")}`;
  return message;
}

/**
 * Parses a SIWS message, or returns null when the text is not in the format. The result,
 * rebuilt with {@link buildSiwsMessage}, must equal the input: anything extra or reordered
 * is rejected rather than silently ignored.
 */
export function parseSiwsMessage(text: string): SiwsFields | null {
  const lines = text.split("\n");
  const header = lines[0];
  const address = lines[1];
  if (header === undefined || !header.endsWith(HEADER_SUFFIX) || address === undefined) return null;
  const domain = header.slice(0, -HEADER_SUFFIX.length);
  if (domain.length === 0 || address.length === 0) return null;
  const fields: SiwsFields = { domain, address };
  let index = 2;
  // Optional statement block: a blank line, then a line that is not a "Label: value" field.
  if (lines[index] === "" && lines[index + 1] !== undefined && !isFieldLine(lines[index + 1] ?? "")) {
    fields.statement = lines[index + 1];
    index += 2;
  }
  if (index < lines.length) {
    if (lines[index] !== "") return null;
    index += 1;
    for (; index < lines.length; index += 1) {
      const line = lines[index] ?? "";
      if (line === "Resources:") {
        fields.resources = lines.slice(index + 1).map((item) => (item.startsWith("- ") ? item.slice(2) : "\u0000"));
        if (fields.resources.includes("\u0000")) return null;
        break;
      }
      const match = FIELD_LABELS.find(([, label]) => line.startsWith(`${label}: `));
      if (match === undefined) return null;
      const key: LabelledField = match[0];
      if (fields[key] !== undefined) return null;
      fields[key] = line.slice(match[1].length + 2);
    }
  }
  return buildSiwsMessage(fields) === text ? fields : null;
}

function isFieldLine(line: string): boolean {
  return line === "Resources:" || FIELD_LABELS.some(([, label]) => line.startsWith(`${label}: `));
}
