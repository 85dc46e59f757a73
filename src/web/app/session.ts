/**
 * The signed-in session: the expiring management key /auth/verify returned, kept in localStorage so
 * a reload stays signed in, renewed through POST /api/v1/auth/session once half its life has passed.
 */
export interface Session {
  key: string;
  accountId: string;
  issuedAt: string;
  expiresAt: string;
  wallet: { chain: "evm" | "solana"; address: string };
}

const STORAGE_KEY = "farebox.session";
const listeners = new Set<() => void>();
let renewTimer: ReturnType<typeof setTimeout> | undefined;

function read(): Session | null {
  try {
    const stored = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? "null") as Session | null;
    return stored && Date.parse(stored.expiresAt) > Date.now() ? stored : null;
  } catch {
    return null;
  }
}

let session: Session | null = read();

/** The current session, or null when signed out. */
export function currentSession(): Session | null {
  return session;
}

/** Calls `listener` whenever the session changes; returns the unsubscribe. */
export function onSessionChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function publish(next: Session | null): void {
  session = next;
  if (next) localStorage.setItem(STORAGE_KEY, JSON.stringify(next));
  else localStorage.removeItem(STORAGE_KEY);
  scheduleRenewal();
  for (const listener of listeners) listener();
}

/** Stores a new session (after sign-in or renewal). */
export function saveSession(next: Session): void {
  publish(next);
}

/** Signs out: the key is forgotten by this browser. */
export function forgetSession(): void {
  publish(null);
}

async function renew(): Promise<void> {
  const old = session;
  if (!old) return;
  const response = await fetch("/api/v1/auth/session", { method: "POST", headers: { authorization: `Bearer ${old.key}` } });
  if (response.status === 401) return forgetSession();
  if (!response.ok) {
    // a passing failure: try again in a minute while the key still works
    renewTimer = setTimeout(() => void renew(), 60_000);
    return;
  }
  const renewed = (await response.json()) as { key: string; expires_at: string };
  publish({ ...old, key: renewed.key, issuedAt: new Date().toISOString(), expiresAt: renewed.expires_at });
}

/** Renews once half the session's life has passed (at once if that is already behind). */
function scheduleRenewal(): void {
  clearTimeout(renewTimer);
  if (!session) return;
  const issued = Date.parse(session.issuedAt);
  const expires = Date.parse(session.expiresAt);
  const due = issued + (expires - issued) / 2;
  renewTimer = setTimeout(() => void renew(), Math.max(0, Math.min(due - Date.now(), 2 ** 31 - 1)));
}

// another tab signing in or out, or renewing, changes this tab's session too
addEventListener("storage", (event) => {
  if (event.key !== STORAGE_KEY) return;
  session = read();
  scheduleRenewal();
  for (const listener of listeners) listener();
});
scheduleRenewal();
