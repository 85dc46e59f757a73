/**
 * Incremental Server-Sent Events parser, per the WHATWG spec
 * (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation):
 * lines end in CRLF, LF or CR; a blank line dispatches the event; `:` lines are comments;
 * several `data:` lines join with "\n"; one leading space after the colon is dropped; a UTF-8
 * BOM at the start is ignored. Input arrives in arbitrary pieces (TCP chunks), so a line, a
 * CRLF pair or a multi-byte character may be split across pushes.
 */

/** One dispatched event. `event` is "message" when the stream did not name it. */
export interface SseEvent {
  event: string;
  data: string;
  id?: string;
  retry?: number;
}

/**
 * A stateful parser: push text pieces in order, collect the events they complete. Lines are found
 * with indexOf and fields read by position, without a string per line: a stream is mostly one
 * `data:` line per read, and a loop over every character with a slice per line was the parser's
 * cost in the stream profile (bench/stream-frames-cpu.ts).
 */
export class SseParser {
  private buffer = "";
  private started = false;
  private pendingCr = false;
  private data = "";
  private hasData = false;
  private eventName = "";
  private lastId: string | undefined;
  private retry: number | undefined;

  /** Feeds the next piece of the stream; returns the events completed by it. */
  push(text: string): SseEvent[] {
    let input = text;
    if (!this.started && input.length > 0) {
      this.started = true;
      if (input.charCodeAt(0) === 0xfeff) input = input.slice(1);
    }
    // A CR ending the previous piece may be the first half of CRLF.
    if (this.pendingCr) {
      this.pendingCr = false;
      if (input.startsWith("\n")) input = input.slice(1);
    }
    const buffer = this.buffer === "" ? input : this.buffer + input;
    const events: SseEvent[] = [];
    let start = 0;
    let lf = buffer.indexOf("\n");
    let cr = buffer.indexOf("\r");
    while (lf !== -1 || cr !== -1) {
      const lineStart = start;
      let end: number;
      if (cr === -1 || (lf !== -1 && lf < cr)) {
        end = lf;
        start = lf + 1;
      } else {
        end = cr;
        if (cr + 1 < buffer.length) {
          start = buffer.charCodeAt(cr + 1) === 10 ? cr + 2 : cr + 1;
        } else {
          this.pendingCr = true;
          start = cr + 1;
        }
      }
      const event = this.line(buffer, lineStart, end);
      if (event) events.push(event);
      if (lf !== -1 && lf < start) lf = buffer.indexOf("\n", start);
      if (cr !== -1 && cr < start) cr = buffer.indexOf("\r", start);
    }
    this.buffer = start === 0 ? buffer : buffer.slice(start);
    return events;
  }

  /** Text received after the last complete line (a partial frame at end of stream). */
  get remainder(): string {
    return this.buffer;
  }

  /** True when an event has started (fields seen) but no blank line dispatched it yet. */
  get hasPartialEvent(): boolean {
    return this.buffer.length > 0 || this.hasData || this.eventName !== "";
  }

  /** The line `text[start, end)`. */
  private line(text: string, start: number, end: number): SseEvent | undefined {
    if (start === end) return this.dispatch();
    if (text.charCodeAt(start) === 58) return undefined; // ":" a comment
    let colon = text.indexOf(":", start);
    if (colon >= end) colon = -1;
    const fieldEnd = colon === -1 ? end : colon;
    let valueStart = colon === -1 ? end : colon + 1;
    if (valueStart < end && text.charCodeAt(valueStart) === 32) valueStart++;
    const fieldLength = fieldEnd - start;
    if (fieldLength === 4 && text.startsWith("data", start)) {
      const value = text.slice(valueStart, end);
      this.data = this.hasData ? `${this.data}\n${value}` : value;
      this.hasData = true;
    } else if (fieldLength === 5 && text.startsWith("event", start)) {
      this.eventName = text.slice(valueStart, end);
    } else if (fieldLength === 2 && text.startsWith("id", start)) {
      const value = text.slice(valueStart, end);
      if (!value.includes("\0")) this.lastId = value;
    } else if (fieldLength === 5 && text.startsWith("retry", start)) {
      const value = text.slice(valueStart, end);
      if (/^\d+$/.test(value)) this.retry = Number(value);
    }
    return undefined;
  }

  private dispatch(): SseEvent | undefined {
    const name = this.eventName;
    this.eventName = "";
    if (!this.hasData) return undefined;
    const event: SseEvent = { event: name === "" ? "message" : name, data: this.data };
    if (this.lastId !== undefined) event.id = this.lastId;
    if (this.retry !== undefined) event.retry = this.retry;
    this.data = "";
    this.hasData = false;
    return event;
  }
}
