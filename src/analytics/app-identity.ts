/**
 * App attribution: an app is identified by the origin of its HTTP-Referer (path, query and
 * credentials dropped, so a token in a referer URL is never stored), titled by X-Title.
 */

const MAX_TITLE = 100;

/** The origin ("https://example.com") of a referer, or "" when absent or not an http(s) URL. */
export function appOrigin(referer: string | null | undefined): string {
  if (!referer) return "";
  try {
    const url = new URL(referer.trim());
    if (url.protocol !== "http:" && url.protocol !== "https:") return "";
    return url.origin.toLowerCase();
  } catch {
    return "";
  }
}

/** A display title: trimmed, control characters removed, at most 100 characters. */
export function appTitle(title: string | null | undefined): string {
  // eslint-disable-next-line no-control-regex -- stripping control characters is the point
  return (title ?? "").replace(/[\u0000-\u001f\u007f]/g, "").trim().slice(0, MAX_TITLE);
}

/**
 * Whether an app origin may appear on the public leaderboard: real public host names only,
 * never localhost, bare IP addresses, single-label or internal names (they would reveal a
 * private network rather than a public app).
 */
export function isPublicApp(origin: string): boolean {
  if (origin === "") return false;
  const host = new URL(origin).hostname;
  if (host === "localhost" || !host.includes(".")) return false;
  if (/^\d+\.\d+\.\d+\.\d+$/.test(host) || host.startsWith("[")) return false;
  return !/\.(local|localhost|internal|lan|home|corp|test|invalid|example)$/.test(host);
}

/** Model author from a catalog id ("openai/gpt-4o" → "openai"). */
export function modelAuthor(model: string): string {
  const slash = model.indexOf("/");
  return slash > 0 ? model.slice(0, slash) : model;
}
