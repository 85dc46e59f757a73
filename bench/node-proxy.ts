/**
 * The runtime's own floor: the cheapest reverse proxy we know how to write on Node's http server and
 * undici (what farebox uses to reach upstreams). One process by default, as farebox serves 1,000
 * req/s and its closed loop on 2 cores (BENCH_NODE_PROXY_WORKERS runs more under node:cluster). It
 * reads the request whole, forwards it through undici's handler interface (farebox's non-stream
 * path, src/providers/shared/whole-response.ts), and answers a JSON body whole with its length
 * (as farebox does) and an event stream chunk by chunk as it comes, with no routing, billing,
 * validation or logging: what any gateway written for Node pays before doing any work of its own.
 *
 * An earlier version, one process per core that piped both bodies through streams (chunked
 * transfer both ways), cost 2–3× as much per request at 1,000 req/s (bench/RESULTS.md, "The
 * runtime's floor, measured fairly"): it was not a floor. Run by `npm run bench` beside nginx;
 * prints its URL as JSON.
 */
import cluster from "node:cluster";
import { createServer, type ServerResponse } from "node:http";
import { Pool } from "undici";

const upstreamUrl = process.argv[2]!;
const workers = Number(process.env.BENCH_NODE_PROXY_WORKERS ?? 1);
const upstreamHeaders = { "content-type": "application/json", authorization: "Bearer bench" };

/** Forwards `body` upstream and answers `response` with what comes back. */
function forward(upstream: Pool, body: Buffer, response: ServerResponse): void {
  const chunks: Buffer[] = [];
  let status = 502;
  let streaming = false;
  upstream.dispatch(
    { method: "POST", path: "/v1/chat/completions", headers: upstreamHeaders, body },
    {
      onConnect() {},
      onHeaders(statusCode, rawHeaders, resume) {
        status = statusCode;
        for (let i = 0; i < rawHeaders.length; i += 2) {
          if (rawHeaders[i]!.toString().toLowerCase() === "content-type" && rawHeaders[i + 1]!.toString().startsWith("text/event-stream")) streaming = true;
        }
        if (streaming) {
          response.writeHead(status, { "content-type": "text/event-stream" });
          response.on("drain", resume);
        }
        return true;
      },
      onData(chunk) {
        if (streaming) return response.write(chunk);
        chunks.push(chunk);
        return true;
      },
      onComplete() {
        if (streaming) return void response.end();
        const answer = Buffer.concat(chunks);
        response.writeHead(status, { "content-type": "application/json", "content-length": answer.length });
        response.end(answer);
      },
      onError() {
        if (!response.headersSent) response.writeHead(502);
        response.end();
      },
    },
  );
}

function serve(): void {
  const upstream = new Pool(upstreamUrl, { connections: 256, pipelining: 1, keepAliveTimeout: 60_000 });
  const server = createServer((request, response) => {
    const parts: Buffer[] = [];
    request.on("data", (part: Buffer) => parts.push(part));
    request.on("end", () => forward(upstream, Buffer.concat(parts), response));
  });
  server.keepAliveTimeout = 60_000;
  // port 0 under node:cluster: every worker shares the one port the primary picks
  server.listen(0, "127.0.0.1", () => {
    const address = server.address();
    if (workers === 1 && address && typeof address === "object") process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${address.port}` })}\n`);
  });
}

if (workers > 1 && cluster.isPrimary) {
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
  serve();
}
