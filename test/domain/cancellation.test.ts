import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { request } from "undici";
import { describe, expect, it } from "vitest";
import { Cancellation } from "../../src/domain/cancellation.js";

describe("cancellation", () => {
  it("fires its listeners once, and not those removed before", () => {
    const cancellation = new Cancellation();
    const calls: string[] = [];
    const removed = () => calls.push("removed");
    cancellation.addEventListener("abort", () => calls.push("kept"));
    cancellation.addEventListener("abort", removed);
    cancellation.removeEventListener("abort", removed);
    cancellation.abort(new Error("first"));
    cancellation.abort(new Error("second"));
    expect(calls).toEqual(["kept"]);
    expect(cancellation.aborted).toBe(true);
    expect(cancellation.reason).toEqual(new Error("first"));
  });

  it("aborts an undici request in flight with its reason, closing the connection", async () => {
    let closed!: () => void;
    const connectionClosed = new Promise<void>((resolve) => (closed = resolve));
    const server = createServer((req) => req.socket.on("close", closed)); // never answers
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const cancellation = new Cancellation();
      const { port } = server.address() as AddressInfo;
      const pending = request(`http://127.0.0.1:${port}/`, { method: "POST", body: "{}", signal: cancellation });
      setTimeout(() => cancellation.abort(new Error("client went away")), 20);
      await expect(pending).rejects.toThrow("client went away");
      await connectionClosed;
    } finally {
      server.close();
    }
  });
});
