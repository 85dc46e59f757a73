/** One sign-in: ask for a challenge, have the wallet sign it, verify it (SIWE / SIWS routes). */
import { api } from "../api.js";
import { currentSession, saveSession, type Session } from "../session.js";

interface Verified {
  account_id: string;
  key: string;
  expires_at: string;
  wallet: { chain: "evm" | "solana"; address: string; linked: boolean };
}

/**
 * Signs in with `address` on `chain` using `sign`; with `link`, the wallet is linked to the signed-in
 * account instead (the session stays). Verify always answers with a fresh management key; when
 * linking the page has no use for it, so it is revoked at once rather than left alive until it expires.
 */
export async function walletSignIn(chain: "evm" | "solana", address: string, sign: (message: string) => Promise<string>, link = false): Promise<Verified> {
  const challenge = await api<{ message: string }>("/api/v1/auth/challenge", { method: "POST", body: { chain, address }, key: null });
  const signature = await sign(challenge.message);
  const verified = await api<Verified>("/api/v1/auth/verify", {
    method: "POST",
    body: { message: challenge.message, signature },
    key: link ? (currentSession()?.key ?? null) : null,
  });
  if (link) {
    await revokeKey(verified.key);
    return verified;
  }
  const session: Session = { key: verified.key, accountId: verified.account_id, issuedAt: new Date().toISOString(), expiresAt: verified.expires_at, wallet: verified.wallet };
  saveSession(session);
  return verified;
}

/** Deletes the management key `secret` through the public API: its hash from GET /key, then DELETE /keys/{hash}. */
async function revokeKey(secret: string): Promise<void> {
  const { data } = await api<{ data: { hash: string } }>("/api/v1/key", { key: secret });
  await api(`/api/v1/keys/${data.hash}`, { method: "DELETE", key: secret });
}
