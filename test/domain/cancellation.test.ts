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

  it("fires in the order listeners were added, whichever were removed, and never one added after the abort", () => {
    const cancellation = new Cancellation();
    const calls: string[] = [];
    const first = () => calls.push("first");
    const second = () => calls.push("second");
    const third = () => calls.push("third");
    cancellation.addEventListener("abort", first);
    cancellation.addEventListener("abort", second);
    cancellation.addEventListener("abort", third);
    cancellation.removeEventListener("abort", first);
    cancellation.addEventListener("abort", first);
    cancellation.removeEventListener("abort", third);
    cancellation.removeEventListener("abort", () => calls.push("never added"));
    cancellation.abort();
    cancellation.addEventListener("abort", () => calls.push("late"));
    cancellation.abort();
    expect(calls).toEqual(["second", "first"]);
  });

  it("fires a listener a second time only if it was added twice, and a removal takes back one registration", () => {
    const cancellation = new Cancellation();
    let calls = 0;
    const listener = () => calls++;
    cancellation.addEventListener("abort", listener);
    cancellation.addEventListener("abort", listener);
    cancellation.addEventListener("abort", listener);
    cancellation.removeEventListener("abort", listener);
    cancellation.abort();
    expect(calls).toBe(2);
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
