/**
 * The message one cluster worker sends the others (through the primary) when an account's BYOK
 * keys changed, so each drops its kept copy at once.
 */
export const BYOK_CHANGED = "farebox:byok-changed";

export interface ByokChanged {
  type: typeof BYOK_CHANGED;
  accountId: string;
}

export function isByokChanged(message: unknown): message is ByokChanged {
  return typeof message === "object" && message !== null && (message as ByokChanged).type === BYOK_CHANGED && typeof (message as ByokChanged).accountId === "string";
}
