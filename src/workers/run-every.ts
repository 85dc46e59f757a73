import { setTimeout as sleep } from "node:timers/promises";

/**
 * Runs `pass` now and then every `intervalMs` after the previous pass ends, until `signal`
 * aborts. A failing pass is reported and the loop goes on. Resolves once stopped.
 */
export async function runEvery(
  intervalMs: number,
  signal: AbortSignal,
  pass: () => Promise<void>,
  onError: (error: unknown) => void,
): Promise<void> {
  while (!signal.aborted) {
    try {
      await pass();
    } catch (error) {
      onError(error);
    }
    try {
      await sleep(intervalMs, undefined, { signal });
    } catch {
      return;
    }
  }
}
