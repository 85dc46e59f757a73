/**
 * The protocol-independent core of every fake upstream: a node:http server on port 0 that
 * records requests and delivers a rendered answer with the scripted faults (delays, stalls,
 * cuts, resets, malformed frames, error events).
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createNetServer, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { behaviourFor, type FakeBehaviour, type FakeScript, type RecordedRequest } from "./behaviour.js";

/** A rendered answer: a JSON body, or a list of complete SSE frames. */
export type Rendered =
  | { kind: "json"; status: number; headers?: Record<string, string>; body: string }
  | { kind: "sse"; frames: string[] };

/** How one protocol looks on the wire. */
export interface ProtocolRenderer {
  /** Whether the recorded request asked for a stream. */
  isStream(request: RecordedRequest): boolean;
  /** The success answer for a behaviour. */
  render(behaviour: FakeBehaviour, request: RecordedRequest, stream: boolean): Rendered;
  /** The error answer for a status (with the protocol's error body). */
  renderError(error: NonNullable<FakeBehaviour["error"]>): Rendered & { kind: "json" };
  /** The protocol's mid-stream error frame. */
  streamErrorFrame(): string;
  /** The frame terminator this protocol uses ("\n\n" or "\r\n\r\n"). */
  frameEnd: string;
}

/** A running fake upstream. */
export interface FakeUpstream {
  /** Base URL, e.g. `http://127.0.0.1:41234` (adapters append their protocol's paths). */
  url: string;
  port: number;
  /** Requests received, in order (the most recent `maxRecorded`). */
  requests: RecordedRequest[];
  /** Replaces the script (and restarts its queue). */
  setScript(script: FakeScript): void;
  /** The last request received (throws if none). */
  lastRequest(): RecordedRequest;
  /** Stops the server and destroys every open connection. */
  close(): Promise<void>;
}

/** The `retry-after` header for an error behaviour, if it asked for one. */
export function retryHeaders(error: { retryAfter?: string }): Record<string, string> {
  return error.retryAfter === undefined ? {} : { "retry-after": error.retryAfter };
}

/** Options shared by every fake. */
export interface FakeOptions {
  script?: FakeScript;
  /** How many recent requests `requests` keeps (default 10 000), so long benchmarks stay small. */
  maxRecorded?: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts a fake upstream for one protocol. */
export async function startFakeServer(renderer: ProtocolRenderer, options: FakeOptions = {}): Promise<FakeUpstream> {
  let script: FakeScript = options.script ?? {};
  let scriptStart = 0;
  const requests: RecordedRequest[] = [];
  const maxRecorded = options.maxRecorded ?? 10_000;
  let received = 0;
  const sockets = new Set<Socket>();
  // One close listener per connection, shared by every request on it (keep-alive).
  const socketClosed = new WeakMap<Socket, Promise<void>>();

  const server = createServer((req, res) => {
    void handle(req, res).catch(() => res.destroy());
  });
  server.on("connection", (socket) => {
    socket.setNoDelay(true);
    sockets.add(socket);
    socketClosed.set(socket, new Promise((resolve) => socket.once("close", () => resolve())));
    socket.on("close", () => sockets.delete(socket));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    let body: unknown;
    try {
      body = JSON.parse(text) as unknown;
    } catch {
      body = undefined;
    }
    const socket = req.socket;
    const recorded: RecordedRequest = {
      method: req.method ?? "",
      url: req.url ?? "",
      headers: req.headers,
      body,
      remotePort: socket.remotePort ?? 0,
      closedEarly: false,
      closed: socketClosed.get(socket) ?? Promise.resolve(),
    };
    res.on("close", () => {
      if (!res.writableFinished) recorded.closedEarly = true;
    });
    requests.push(recorded);
    if (requests.length > maxRecorded) requests.shift();
    const behaviour = behaviourFor(script, recorded, received++ - scriptStart);
    await respond(behaviour, recorded, res);
  }

  async function respond(behaviour: FakeBehaviour, request: RecordedRequest, res: ServerResponse): Promise<void> {
    if (behaviour.resetBeforeResponse) {
      res.socket?.destroy();
      return;
    }
    if (behaviour.firstByteDelayMs) await sleep(behaviour.firstByteDelayMs);
    if (res.destroyed) return;
    if (behaviour.error) {
      writeJson(res, renderer.renderError(behaviour.error));
      return;
    }
    const stream = renderer.isStream(request) && !behaviour.ignoreStream;
    const rendered = renderer.render(behaviour, request, stream);
    if (rendered.kind === "json") {
      if (behaviour.malformed) writeJson(res, { ...rendered, body: rendered.body.slice(0, Math.floor(rendered.body.length / 2)) });
      else writeJson(res, rendered);
      return;
    }
    const frames = [...rendered.frames];
    if (behaviour.malformed !== undefined && behaviour.malformed !== false) {
      const at = behaviour.malformed === true ? 0 : behaviour.malformed;
      frames[at] = `data: {"broken": tru${renderer.frameEnd}`;
    }
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
    res.flushHeaders();
    for (let index = 0; index < frames.length; index++) {
      if (res.destroyed) return;
      if (behaviour.stallAfter === index) return;
      if (behaviour.cutAfter === index) {
        res.end();
        return;
      }
      if (behaviour.resetAfter === index) {
        res.socket?.destroy();
        return;
      }
      if (behaviour.streamErrorAfter === index) {
        res.end(renderer.streamErrorFrame());
        return;
      }
      if (behaviour.comments) res.write(`: keep-alive${renderer.frameEnd}`);
      // Wait until the frame is handed to the kernel, so a later reset cannot swallow it.
      for (const slice of slices(frames[index] ?? "", behaviour.splitFramesBytes)) {
        await new Promise<void>((resolve) => res.write(slice, () => resolve()));
        if (behaviour.splitFramesBytes) await new Promise((resolve) => setImmediate(resolve));
      }
      if (behaviour.frameDelayMs) await sleep(behaviour.frameDelayMs);
    }
    if (behaviour.stallAfter === frames.length) return;
    res.end();
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    setScript(next) {
      script = next;
      scriptStart = received;
    },
    lastRequest() {
      const last = requests.at(-1);
      if (!last) throw new Error("the fake upstream received no request");
      return last;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A frame as bytes, cut into slices (possibly through a multi-byte character). */
function slices(frame: string, size: number | undefined): Buffer[] {
  const bytes = Buffer.from(frame, "utf8");
  if (!size) return [bytes];
  const out: Buffer[] = [];
  for (let start = 0; start < bytes.length; start += size) out.push(bytes.subarray(start, start + size));
  return out;
}

function writeJson(res: ServerResponse, rendered: { status: number; headers?: Record<string, string>; body: string }): void {
  res.writeHead(rendered.status, { "content-type": "application/json", ...rendered.headers });
  res.end(rendered.body);
}

/** A URL on 127.0.0.1 where nothing listens (connecting is refused). */
export async function refusedUrl(): Promise<string> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/**
 * A TCP server that accepts connections and never speaks. An `https://` URL to it makes the TLS
 * handshake hang, which undici counts as the connect phase: the way to exercise connect timeouts
 * offline.
 */
export async function startSilentTcp(): Promise<{ httpsUrl: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createNetServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    httpsUrl: `https://127.0.0.1:${port}`,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
