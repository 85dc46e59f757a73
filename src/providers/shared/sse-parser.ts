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

/** A stateful parser: push text pieces in order, collect the events they complete. */
export class SseParser {
  private buffer = "";
  private started = false;
  private pendingCr = false;
  private dataLines: string[] = [];
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
    this.buffer += input;
    const events: SseEvent[] = [];
    let start = 0;
    for (let i = 0; i < this.buffer.length; i++) {
      const ch = this.buffer.charCodeAt(i);
      if (ch !== 10 && ch !== 13) continue;
      const line = this.buffer.slice(start, i);
      if (ch === 13) {
        if (i + 1 < this.buffer.length) {
          if (this.buffer.charCodeAt(i + 1) === 10) i++;
        } else {
          this.pendingCr = true;
        }
      }
      start = i + 1;
      const event = this.line(line);
      if (event) events.push(event);
    }
    this.buffer = this.buffer.slice(start);
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

  private line(line: string): SseEvent | undefined {
    if (line === "") return this.dispatch();
    if (line.startsWith(":")) return undefined;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    switch (field) {
      case "data":
        this.dataLines.push(value);
        this.hasData = true;
        break;
      case "event":
        this.eventName = value;
        break;
      case "id":
        if (!value.includes("\0")) this.lastId = value;
        break;
      case "retry":
        if (/^\d+$/.test(value)) this.retry = Number(value);
        break;
      default:
        break;
    }
    return undefined;
  }

  private dispatch(): SseEvent | undefined {
    const name = this.eventName;
    this.eventName = "";
    if (!this.hasData) return undefined;
    const event: SseEvent = { event: name === "" ? "message" : name, data: this.dataLines.join("\n") };
    if (this.lastId !== undefined) event.id = this.lastId;
    if (this.retry !== undefined) event.retry = this.retry;
    this.dataLines = [];
    this.hasData = false;
    return event;
  }
}
