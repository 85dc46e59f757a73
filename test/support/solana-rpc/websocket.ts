/**
 * A minimal WebSocket endpoint (RFC 6455 text frames, no extensions) on the test RPC server for
 * `logsSubscribe { mentions: [address] }`: every recorded transaction that mentions a subscribed
 * address is pushed as a `logsNotification`, the way a node does, so listeners can be woken.
 */
import { createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { RecordedTransaction } from "./chain.js";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

interface Subscription {
  id: number;
  address: string;
  socket: Duplex;
}

/** Handles upgrades and fans recorded transactions out to subscribers. */
export class LogsWebSocket {
  private readonly subscriptions = new Map<number, Subscription>();
  private readonly sockets = new Set<Duplex>();
  private nextId = 1;

  get subscriptionCount(): number {
    return this.subscriptions.size;
  }

  upgrade(req: IncomingMessage, socket: Duplex): void {
    const key = req.headers["sec-websocket-key"];
    if (typeof key !== "string") return void socket.destroy();
    const accept = createHash("sha1").update(key + GUID).digest("base64");
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
    );
    this.sockets.add(socket);
    let buffer = Buffer.alloc(0);
    socket.on("data", (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        const frame = readFrame(buffer);
        if (frame === null) break;
        buffer = buffer.subarray(frame.length);
        if (frame.opcode === 0x8) return void this.drop(socket);
        if (frame.opcode === 0x9) socket.write(encodeFrame(frame.payload, 0xa));
        if (frame.opcode === 0x1) this.onMessage(socket, frame.payload.toString("utf8"));
      }
    });
    socket.on("close", () => this.drop(socket));
    socket.on("error", () => this.drop(socket));
  }

  /** Pushes a recorded transaction to every subscription it mentions. */
  publish(record: RecordedTransaction): void {
    for (const subscription of this.subscriptions.values()) {
      if (!record.accountKeys.includes(subscription.address)) continue;
      const notification = {
        jsonrpc: "2.0",
        method: "logsNotification",
        params: {
          subscription: subscription.id,
          result: { context: { slot: record.slot }, value: { signature: record.signature, err: record.err, logs: record.logs } },
        },
      };
      subscription.socket.write(encodeFrame(Buffer.from(JSON.stringify(notification))));
    }
  }

  close(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  private onMessage(socket: Duplex, text: string): void {
    let request: { id?: unknown; method?: unknown; params?: unknown };
    try {
      request = JSON.parse(text) as typeof request;
    } catch {
      return;
    }
    const params = Array.isArray(request.params) ? (request.params as unknown[]) : [];
    let result: unknown = null;
    if (request.method === "logsSubscribe") {
      const filter = params[0] as { mentions?: unknown } | undefined;
      const address = Array.isArray(filter?.mentions) ? String(filter.mentions[0]) : "";
      const id = this.nextId++;
      this.subscriptions.set(id, { id, address, socket });
      result = id;
    } else if (request.method === "logsUnsubscribe") {
      result = this.subscriptions.delete(Number(params[0]));
    }
    if (request.id !== undefined) socket.write(encodeFrame(Buffer.from(JSON.stringify({ jsonrpc: "2.0", result, id: request.id }))));
  }

  private drop(socket: Duplex): void {
    for (const [id, subscription] of this.subscriptions) if (subscription.socket === socket) this.subscriptions.delete(id);
    this.sockets.delete(socket);
    socket.destroy();
  }
}

function readFrame(buffer: Buffer): { opcode: number; payload: Buffer; length: number } | null {
  if (buffer.length < 2) return null;
  const opcode = buffer[0]! & 0x0f;
  const masked = (buffer[1]! & 0x80) !== 0;
  let length = buffer[1]! & 0x7f;
  let offset = 2;
  if (length === 126) {
    if (buffer.length < 4) return null;
    length = buffer.readUInt16BE(2);
    offset = 4;
  } else if (length === 127) {
    if (buffer.length < 10) return null;
    length = Number(buffer.readBigUInt64BE(2));
    offset = 10;
  }
  const maskLength = masked ? 4 : 0;
  if (buffer.length < offset + maskLength + length) return null;
  const mask = buffer.subarray(offset, offset + maskLength);
  const payload = Buffer.from(buffer.subarray(offset + maskLength, offset + maskLength + length));
  if (masked) for (let i = 0; i < payload.length; i += 1) payload[i] = payload[i]! ^ mask[i % 4]!;
  return { opcode, payload, length: offset + maskLength + length };
}

function encodeFrame(payload: Buffer, opcode = 0x1): Buffer {
  const header =
    payload.length < 126
      ? Buffer.from([0x80 | opcode, payload.length])
      : payload.length < 65_536
        ? Buffer.from([0x80 | opcode, 126, payload.length >> 8, payload.length & 0xff])
        : Buffer.concat([Buffer.from([0x80 | opcode, 127]), bigLength(payload.length)]);
  return Buffer.concat([header, payload]);
}

function bigLength(length: number): Buffer {
  const out = Buffer.alloc(8);
  out.writeBigUInt64BE(BigInt(length));
  return out;
}
