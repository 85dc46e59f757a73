/** The dashboard's one door to the server: the public HTTP API, with the session's key, errors in words. */
import { currentSession, forgetSession } from "./session.js";

/** A failed API call, carrying the server's own message (OpenRouter's error envelope). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly metadata: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export interface CallOptions {
  method?: string;
  body?: unknown;
  /** The bearer key; the signed-in session's management key when absent, none when null. */
  key?: string | null;
  /** Return the raw text (CSV) instead of parsed JSON. */
  text?: boolean;
}

/** Reads the envelope's message, or says what came back when it is not one. */
async function errorOf(response: Response): Promise<ApiError> {
  const text = await response.text();
  try {
    const parsed = JSON.parse(text) as { error?: { message?: string; metadata?: Record<string, unknown> } };
    if (parsed.error?.message) return new ApiError(response.status, parsed.error.message, parsed.error.metadata ?? {});
  } catch {
    // not JSON: fall through
  }
  return new ApiError(response.status, `The server answered ${response.status} ${response.statusText}`.trim());
}

/** Calls `path` (e.g. /api/v1/keys) and returns its JSON body; a non-2xx answer throws ApiError. */
export async function api<T>(path: string, options: CallOptions = {}): Promise<T> {
  const key = options.key === undefined ? currentSession()?.key : options.key;
  const headers: Record<string, string> = {};
  if (key) headers.authorization = `Bearer ${key}`;
  if (options.body !== undefined) headers["content-type"] = "application/json";
  let response: Response;
  try {
    response = await fetch(path, { method: options.method ?? "GET", headers, body: options.body === undefined ? null : JSON.stringify(options.body) });
  } catch {
    throw new ApiError(0, "The server cannot be reached. Check your connection and retry.");
  }
  if (!response.ok) {
    const error = await errorOf(response);
    // the session key was refused (expired, deleted): the session is over
    if (error.status === 401 && key && key === currentSession()?.key) forgetSession();
    throw error;
  }
  return (options.text ? await response.text() : await response.json()) as T;
}

/** A thrown value as words for the page. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
