import { describe, expect, it } from "vitest";
import { Readable } from "node:stream";
import { Attempt } from "../../src/providers/shared/attempt.js";
import { readSseBody } from "../../src/providers/shared/sse-body-reader.js";
import { SseParser, type SseEvent } from "../../src/providers/shared/sse-parser.js";

function parseAll(pieces: string[]): SseEvent[] {
  const parser = new SseParser();
  return pieces.flatMap((piece) => parser.push(piece));
}

async function fromBytes(chunks: Uint8Array[]): Promise<{ events: SseEvent[]; partial: boolean }> {
  let partial = false;
  const attempt = new Attempt({ apiKey: "", baseUrl: "http://upstream", timeouts: { connectMs: 5_000, firstByteMs: 5_000, idleMs: 5_000 } });
  const events: SseEvent[] = [];
  try {
    for await (const event of readSseBody(Readable.from(chunks), attempt, () => (partial = true))) events.push(event);
  } finally {
    attempt.dispose();
  }
  return { events, partial };
}

describe("SSE parser", () => {
  it("parses data frames and names events", () => {
    expect(parseAll(["event: ping\ndata: {}\n\ndata: hello\n\n"])).toEqual([
      { event: "ping", data: "{}" },
      { event: "message", data: "hello" },
    ]);
  });

  it("ignores comment lines (keep-alives)", () => {
    expect(parseAll([": OPENROUTER PROCESSING\n\n:\n\ndata: x\n: mid-event comment\n\n"])).toEqual([{ event: "message", data: "x" }]);
  });

  it("joins multi-line data with newlines", () => {
    expect(parseAll(["data: line one\ndata: line two\ndata:\n\n"])).toEqual([{ event: "message", data: "line one\nline two\n" }]);
  });

  it("accepts CRLF, CR and LF line endings", () => {
    expect(parseAll(["data: a\r\n\r\ndata: b\r\rdata: c\n\n"]).map((e) => e.data)).toEqual(["a", "b", "c"]);
  });

  it("handles a CRLF split across two pieces without inventing a blank line", () => {
    expect(parseAll(["data: a\r", "\ndata: b\r", "\n\r", "\n"])).toEqual([{ event: "message", data: "a\nb" }]);
  });

  it("reassembles frames split at every possible byte", () => {
    const stream = 'event: content_block_delta\r\ndata: {"text":"héllo ✓"}\r\n\r\n: ping\n\ndata: [DONE]\n\n';
    for (let cut = 1; cut < stream.length; cut++) {
      expect(parseAll([stream.slice(0, cut), stream.slice(cut)])).toEqual([
        { event: "content_block_delta", data: '{"text":"héllo ✓"}' },
        { event: "message", data: "[DONE]" },
      ]);
    }
  });

  it("keeps only one leading space of a value and tolerates no space", () => {
    expect(parseAll(["data:x\n\ndata:  two spaces\n\n"]).map((e) => e.data)).toEqual(["x", " two spaces"]);
  });

  it("records id and retry, skips unknown fields and data-less events", () => {
    expect(parseAll(["id: 7\nretry: 1500\nfoo: bar\ndata: d\n\nevent: empty\n\n"])).toEqual([
      { event: "message", data: "d", id: "7", retry: 1500 },
    ]);
  });

  it("strips a leading byte-order mark", () => {
    expect(parseAll(["\ufeffdata: x\n\n"])).toEqual([{ event: "message", data: "x" }]);
  });

  it("decodes multi-byte characters split across TCP chunks", async () => {
    const bytes = new TextEncoder().encode('data: {"t":"日本語"}\n\n');
    const chunks = Array.from(bytes, (byte) => Uint8Array.of(byte));
    const { events, partial } = await fromBytes(chunks);
    expect(events).toEqual([{ event: "message", data: '{"t":"日本語"}' }]);
    expect(partial).toBe(false);
  });

  it("reports a stream that ends inside an event and drops that event", async () => {
    const { events, partial } = await fromBytes([new TextEncoder().encode('data: {"a":1}\n\ndata: {"b":')]);
    expect(events).toEqual([{ event: "message", data: '{"a":1}' }]);
    expect(partial).toBe(true);
  });
});
