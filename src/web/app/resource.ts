/**
 * Route data: each API path is fetched once, kept while the page is open, and fetched again when the
 * window regains focus (or on `reload`, or every `pollMs` for live views such as deposits).
 */
import { useCallback, useEffect, useState } from "preact/hooks";
import { api, messageOf } from "./api.js";

const cache = new Map<string, unknown>();

export interface Resource<T> {
  data: T | undefined;
  error: string | undefined;
  loading: boolean;
  reload: () => Promise<void>;
}

/** The JSON at `path` (null: nothing to fetch yet). */
export function useResource<T>(path: string | null, options: { pollMs?: number; key?: string | null } = {}): Resource<T> {
  const [data, setData] = useState<T | undefined>(path ? (cache.get(path) as T | undefined) : undefined);
  const [error, setError] = useState<string>();
  const [loading, setLoading] = useState(false);
  const reload = useCallback(async () => {
    if (!path) return;
    setLoading(true);
    try {
      const fresh = await api<T>(path, options.key === undefined ? {} : { key: options.key });
      cache.set(path, fresh);
      setData(fresh);
      setError(undefined);
    } catch (caught) {
      setError(messageOf(caught));
    } finally {
      setLoading(false);
    }
  }, [path, options.key]);

  useEffect(() => {
    if (!path) return;
    if (cache.has(path)) setData(cache.get(path) as T);
    else void reload();
    const onFocus = () => void reload();
    const onVisible = () => document.visibilityState === "visible" && void reload();
    addEventListener("focus", onFocus);
    document.addEventListener("visibilitychange", onVisible);
    const timer = options.pollMs ? setInterval(() => void reload(), options.pollMs) : undefined;
    return () => {
      removeEventListener("focus", onFocus);
      document.removeEventListener("visibilitychange", onVisible);
      clearInterval(timer);
    };
  }, [path, reload, options.pollMs]);

  return { data, error, loading, reload };
}

/** Forgets every fetched route (sign-out: the next account must not see the last one's data). */
export function clearResources(): void {
  cache.clear();
}
