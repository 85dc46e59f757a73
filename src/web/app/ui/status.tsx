/** Progress and failure lines shared by every page: failures show the server's message in words. */
import type { ComponentChildren } from "preact";

export function ErrorLine({ message }: { message: string | undefined }) {
  return message ? (
    <p class="error" role="alert">
      {message}
    </p>
  ) : null;
}

export function Busy({ when, children }: { when: boolean; children?: ComponentChildren }) {
  return when ? (
    <p class="busy" role="status" aria-live="polite">
      <span class="spinner" aria-hidden="true" /> {children ?? "Loading…"}
    </p>
  ) : null;
}
