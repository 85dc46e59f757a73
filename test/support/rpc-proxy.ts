/**
 * A JSON-RPC proxy in front of a real node, with what hosted providers do to a client: it can
 * refuse eth_getLogs over more than `maxLogRange` blocks with Infura's range error, and it answers
 * HTTP 503 to everything while `failing` is set (a node that is down).
 */
import { createServer, type Server } from "node:http";

export interface RpcProxy {
  url: string;
  getLogsCalls: { from: bigint; to: bigint; refused: boolean }[];
  /** While true, every request gets HTTP 503. */
  failing: boolean;
  stop(): Promise<void>;
}

export async function startRpcProxy(upstream: string, options: { maxLogRange?: bigint } = {}): Promise<RpcProxy> {
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", async () => {
      if (proxy.failing) {
        res.statusCode = 503;
        res.end("node unavailable");
        return;
      }
      const parsed = JSON.parse(body) as { id: number; method: string; params: { fromBlock?: string; toBlock?: string }[] };
      if (options.maxLogRange !== undefined && !Array.isArray(parsed) && parsed.method === "eth_getLogs") {
        const from = BigInt(parsed.params[0]?.fromBlock ?? "0x0");
        const to = BigInt(parsed.params[0]?.toBlock ?? "0x0");
        const refused = to - from + 1n > options.maxLogRange;
        proxy.getLogsCalls.push({ from, to, refused });
        if (refused) {
          res.setHeader("content-type", "application/json");
          res.end(JSON.stringify({ jsonrpc: "2.0", id: parsed.id, error: { code: -32602, message: `query exceeds max block range ${options.maxLogRange}` } }));
          return;
        }
      }
      const upstreamResponse = await fetch(upstream, { method: "POST", headers: { "content-type": "application/json" }, body });
      res.setHeader("content-type", "application/json");
      res.end(await upstreamResponse.text());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  const proxy: RpcProxy = {
    url: `http://127.0.0.1:${port}`,
    getLogsCalls: [],
    failing: false,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return proxy;
}
