import { isUtf8 } from "node:buffer";

/** UTF-8 bytes as text, as TextDecoder("utf-8") decodes them: malformed bytes become U+FFFD, a leading byte order mark is dropped. */
export function decodeUtf8(chunks: readonly Buffer[], bytes: number): string {
  const text = chunks.length === 1 ? chunks[0]!.toString("utf8") : Buffer.concat(chunks, bytes).toString("utf8");
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * A body's UTF-8 bytes as text, piece by piece, exactly as `new TextDecoder("utf-8")` decodes them
 * with `{ stream: true }`: a character split between pieces comes whole with the later piece,
 * malformed bytes become U+FFFD, and the stream's first character is dropped if it is a byte order
 * mark. A piece that is complete, valid UTF-8 and follows a clean boundary (nearly every upstream
 * read) is decoded by Buffer's own UTF-8 path; anything else goes through a TextDecoder, which
 * keeps the bytes of a split character until the next piece. TextDecoder's streaming decode goes
 * through ICU's converter, and in the stream profile it was half of the SSE reader's time per
 * read (1.7–1.8% of the gateway's main-thread CPU at 500 streams/s; perf, bench/RESULTS.md).
 */
export class Utf8StreamDecoder {
  /** Only for pieces the fast path cannot take; the byte order mark is handled here for both paths. */
  private readonly decoder = new TextDecoder("utf-8", { ignoreBOM: true });
  /** The TextDecoder may hold the first bytes of a split character: it must take the next piece too. */
  private pending = false;
  /** A character came out already: a later U+FEFF is text, not a byte order mark. */
  private started = false;

  /** The text `bytes` completes. */
  decode(bytes: Uint8Array): string {
    let text: string;
    if (!this.pending && isUtf8(bytes)) {
      text = (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)).toString("utf8");
    } else {
      text = this.decoder.decode(bytes, { stream: true });
      // a piece ending in an ASCII byte leaves no split character behind
      this.pending = bytes.length === 0 ? this.pending : bytes[bytes.length - 1]! >= 0x80;
    }
    return this.withoutByteOrderMark(text);
  }

  /** What the bytes of a character cut by the end become (U+FFFD), or "". */
  end(): string {
    if (!this.pending) return "";
    this.pending = false;
    return this.withoutByteOrderMark(this.decoder.decode());
  }

  private withoutByteOrderMark(text: string): string {
    if (this.started || text === "") return text;
    this.started = true;
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  }
}
