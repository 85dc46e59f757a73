/**
 * The x402 `sign-in-with-x` extension (CAIP-122, @x402/extensions): a 402 offers a challenge bound to
 * the resource's origin; a wallet that paid before may answer it with a signed `SIGN-IN-WITH-X`
 * header instead of paying again, and is served from its account's balance while that covers the quote.
 */
import { buildSIWxSchema, parseSIWxHeader, SIGN_IN_WITH_X, validateSIWxMessage, verifySIWxSignature, type SIWxPayload } from "@x402/extensions/sign-in-with-x";
import { randomBytes } from "node:crypto";
import { getAddress } from "viem";

export { SIGN_IN_WITH_X };

/** How long a sign-in challenge may be answered. */
const CHALLENGE_TTL_MS = 5 * 60_000;

/** The signature a wallet on `network` signs in with: EIP-191 on EVM chains, Ed25519 (SIWS) on Solana. */
function signatureType(network: string): "eip191" | "ed25519" | undefined {
  if (network.startsWith("eip155:")) return "eip191";
  if (network.startsWith("solana:")) return "ed25519";
  return undefined;
}

/** The extension entry of a 402 for `resourceUrl`, offering sign-in on `networks` (EVM: EIP-191, Solana: Ed25519). */
export function signInWithXExtension(resourceUrl: string, networks: readonly string[], now: Date): Record<string, unknown> {
  const url = new URL(resourceUrl);
  return {
    [SIGN_IN_WITH_X]: {
      info: {
        domain: url.host,
        uri: resourceUrl,
        statement: "Sign in to farebox to pay from your wallet's credit.",
        version: "1",
        nonce: randomBytes(16).toString("hex"),
        issuedAt: now.toISOString(),
        expirationTime: new Date(now.getTime() + CHALLENGE_TTL_MS).toISOString(),
      },
      supportedChains: networks.flatMap((chainId) => {
        const type = signatureType(chainId);
        return type ? [{ chainId, type }] : [];
      }),
      schema: buildSIWxSchema(),
    },
  };
}

/** A verified sign-in, or why it was refused (the extension's reason codes). */
export type SignInCheck = { ok: true; family: "evm" | "solana"; address: string; network: string; nonce: string } | { ok: false; reason: string; message: string };

/** Parses a `SIGN-IN-WITH-X` header; undefined when it is not one. */
export function parseSignIn(header: string): SIWxPayload | undefined {
  try {
    return parseSIWxHeader(header);
  } catch {
    return undefined;
  }
}

/** Checks a proof: bound to `resourceUrl`'s origin, fresh, on an offered network, signed by its address. */
export async function checkSignIn(payload: SIWxPayload, resourceUrl: string, networks: readonly string[]): Promise<SignInCheck> {
  const valid = await validateSIWxMessage(payload, new URL(resourceUrl), { maxAge: CHALLENGE_TTL_MS });
  if (!valid.isValid) return { ok: false, reason: valid.invalidReason, message: valid.invalidMessage };
  const type = signatureType(payload.chainId);
  if (!type || !networks.includes(payload.chainId) || payload.type !== type) {
    return { ok: false, reason: "invalid_siwx_unsupported_chain", message: `sign in on ${networks.join(" or ")}` };
  }
  const verified = await verifySIWxSignature(payload);
  if (!verified.isValid) return { ok: false, reason: verified.invalidReason, message: verified.invalidMessage };
  const evm = type === "eip191";
  return { ok: true, family: evm ? "evm" : "solana", address: evm ? getAddress(verified.payer) : verified.payer, network: payload.chainId, nonce: payload.nonce };
}
