/**
 * The cluster's primary (src/wiring/cluster-primary.ts) over two stand-in workers, for
 * test/wiring/cluster-primary.test.ts: this file is both the primary and, forked by it, each
 * worker. A worker answers every request with its pid on PORT; GET /block answers, then blocks
 * its event loop for BLOCK_MS (a worker busy with a burst of work).
 */
import cluster from "node:cluster";
import { createServer } from "node:http";
import { runPrimary } from "../../src/wiring/cluster-primary.js";

if (cluster.isPrimary) {
  runPrimary(2, "info");
} else {
  const blockMs = Number(process.env.BLOCK_MS ?? 10_000);
  createServer((request, response) => {
    response.end(String(process.pid));
    if (request.url === "/block") setImmediate(() => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, blockMs));
  }).listen(Number(process.env.PORT), "127.0.0.1");
}
