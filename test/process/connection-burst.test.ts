/**
 * A burst of new connections while the gateway's event loop is busy (a cold start under load, every
 * client reconnecting at once): the kernel keeps them waiting to be accepted instead of dropping
 * their SYNs, each of which would cost its client a 1, 3, 7 s... retransmission. The process that
 * accepts (the single process on PGlite; the cluster's primary on PostgreSQL) is stopped (SIGSTOP)
 * while a thousand connections open, more than Node's default backlog of 511 holds; every one
 * must be established at once, and served once the process runs again.
 */
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/db.js";
import { startMain, waitForReady } from "../support/main-process.js";

const BURST = 1_000;

/** Opens `count` connections to `address`; resolves with those established within `withinMs`. */
async function openBurst(address: string, count: number, withinMs: number): Promise<{ established: Socket[]; all: Socket[] }> {
  const { hostname, port } = new URL(address);
  const all: Socket[] = [];
  const established: Socket[] = [];
  const deadline = new Promise((resolve) => setTimeout(resolve, withinMs));
  const connected = Array.from({ length: count }, () => {
    const socket = connect({ host: hostname, port: Number(port) });
    socket.on("error", () => undefined);
    all.push(socket);
    return new Promise<void>((resolve) => socket.once("connect", () => (established.push(socket), resolve())));
  });
  await Promise.race([Promise.all(connected), deadline]);
  return { established: [...established], all };
}

/** What the process answers on an already open connection. */
function requestOn(socket: Socket, path: string): Promise<string> {
  return new Promise((resolve) => {
    let text = "";
    socket.on("data", (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes("\r\n\r\n")) resolve(text.split("\r\n")[0]!);
    });
    socket.write(`GET ${path} HTTP/1.1\r\nHost: farebox\r\nConnection: close\r\n\r\n`);
  });
}

/** The kernel's cap on any listen backlog: the burst must fit under it for the test to mean anything. */
const somaxconn = Number(readFileSync("/proc/sys/net/core/somaxconn", "utf8"));

describe.skipIf(somaxconn <= BURST)("a burst of connections while the accepting process is busy", () => {
  let child: ChildProcessWithoutNullStreams | undefined;
  let sockets: Socket[] = [];
  let database: TestDatabase | undefined;
  afterEach(async () => {
    if (child?.pid) process.kill(child.pid, "SIGCONT");
    child?.kill("SIGKILL");
    for (const socket of sockets) socket.destroy();
    sockets = [];
    await database?.close();
    database = undefined;
  });

  async function burstWhileStopped(address: string, accepting: number): Promise<void> {
    process.kill(accepting, "SIGSTOP");
    const burst = await openBurst(address, BURST, 700);
    sockets = burst.all;
    expect(burst.established.length).toBe(BURST);
    process.kill(accepting, "SIGCONT");
    // the first and the last connection queued are both served
    expect(await requestOn(burst.established[0]!, "/health")).toBe("HTTP/1.1 200 OK");
    expect(await requestOn(burst.established.at(-1)!, "/health")).toBe("HTTP/1.1 200 OK");
  }

  it("on embedded PGlite (one process)", { timeout: 120_000 }, async () => {
    child = startMain({ DATA_DIR: mkdtempSync(join(tmpdir(), "farebox-data-")) });
    await burstWhileStopped(await waitForReady(child), child.pid!);
  });

  it.skipIf(!process.env.TEST_DATABASE_URL)("on PostgreSQL (the cluster's primary accepts)", { timeout: 120_000 }, async () => {
    database = await createTestDatabase("postgres");
    child = startMain({ DATABASE_URL: database.url!, FAREBOX_WORKERS: "2" });
    await burstWhileStopped(await waitForReady(child), child.pid!);
  });
});
