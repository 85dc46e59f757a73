/** UTF-8 bytes as text, as TextDecoder("utf-8") decodes them: malformed bytes become U+FFFD, a leading byte order mark is dropped. */
export function decodeUtf8(chunks: readonly Buffer[], bytes: number): string {
  const text = chunks.length === 1 ? chunks[0]!.toString("utf8") : Buffer.concat(chunks, bytes).toString("utf8");
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
