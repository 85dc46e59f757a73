/**
 * The runtime's own floor: a bare reverse proxy on Node's http server and undici (what farebox
 * uses to reach upstreams), one process per core under node:cluster as `npm start` runs farebox.
 * It forwards the body unread and pipes the upstream's answer back (streams pass through as they
 * come), with no routing, billing, validation or logging: what any gateway written for Node pays
 * before doing any work of its own. Run by `npm run bench` beside nginx; prints its URL as JSON.
 */
import cluster from "node:cluster";
import { createServer } from "node:http";
import { availableParallelism } from "node:os";
import { pipeline } from "node:stream/promises";
import { Pool } from "undici";

const upstreamUrl = process.argv[2]!;

if (cluster.isPrimary) {
  const workers = Number(process.env.BENCH_NODE_PROXY_WORKERS ?? availableParallelism());
  for (let i = 0; i < workers; i += 1) cluster.fork();
  let listening = 0;
  cluster.on("listening", (_worker, address) => {
    listening += 1;
    if (listening === workers) process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${address.port}` })}\n`);
  });
  process.on("SIGTERM", () => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.kill("SIGTERM");
    process.exit(0);
  });
} else {
  const upstream = new Pool(upstreamUrl, { connections: 256, pipelining: 1, keepAliveTimeout: 60_000 });
  const server = createServer((request, response) => {
    upstream
      .request({ method: "POST", path: "/v1/chat/completions", headers: { "content-type": "application/json", authorization: "Bearer bench" }, body: request })
      .then(async (answer) => {
        response.writeHead(answer.statusCode, { "content-type": String(answer.headers["content-type"] ?? "application/json") });
        await pipeline(answer.body, response);
      })
      .catch(() => {
        if (!response.headersSent) response.writeHead(502);
        response.end();
      });
  });
  server.keepAliveTimeout = 60_000;
  // port 0 under node:cluster: every worker shares the one port the primary picks
  server.listen(0, "127.0.0.1");
}
