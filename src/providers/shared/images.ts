/** Image URLs as clients send them: `data:<mime>;base64,<data>` inline, or a remote URL. */

/** An inline image split into its media type and base64 payload. */
export interface InlineImage {
  mediaType: string;
  data: string;
}

/** Splits a base64 data URL; undefined for anything else (a remote URL). */
export function parseDataUrl(url: string): InlineImage | undefined {
  const match = /^data:([^;,]+)(?:;[^,]*)?;base64,(.*)$/s.exec(url);
  if (!match) return undefined;
  return { mediaType: match[1] ?? "application/octet-stream", data: match[2] ?? "" };
}

/** Media type guessed from a URL's extension (for protocols that require one). */
export function mediaTypeFromUrl(url: string): string {
  const path = url.split(/[?#]/)[0]?.toLowerCase() ?? "";
  if (path.endsWith(".png")) return "image/png";
  if (path.endsWith(".gif")) return "image/gif";
  if (path.endsWith(".webp")) return "image/webp";
  return "image/jpeg";
}
