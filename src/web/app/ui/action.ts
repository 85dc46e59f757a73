/** One button's action: its progress flag and the failure's message. */
import { useState } from "preact/hooks";
import { messageOf } from "../api.js";

export function useAction(): { busy: boolean; error: string | undefined; run: (work: () => Promise<void>) => Promise<void> } {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await work();
    } catch (caught) {
      setError(messageOf(caught));
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run };
}
