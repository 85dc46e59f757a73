/**
 * A JSON-RPC proxy in front of a real node that refuses eth_getLogs over more than `maxLogRange` blocks
 * with Infura's range error, like hosted providers do.
 */
import { createServer, type Server } from "node:http";

export interface RpcProxy {
  url: string;
  getLogsCalls: { from: bigint; to: bigint; refused: boolean }[];
  stop(): Promise<void>;
}

export async function startRangeLimitedProxy(upstream: string, maxLogRange: bigint): Promise<RpcProxy> {
  const getLogsCalls: RpcProxy["getLogsCalls"] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", async () => {
      const parsed = JSON.parse(body) as { id: number; method: string; params: { fromBlock?: string; toBlock?: string }[] };
      if (!Array.isArray(parsed) && parsed.method === "eth_getLogs") {
        const from = BigInt(parsed.params[0]?.fromBlock ?? "0x0");
        const to = BigInt(parsed.params[0]?.toBlock ?? "0x0");
        const refused = to - from + 1n > maxLogRange;
        getLogsCalls.push({ from, to, refused });
        if (refused) {
          res.setHeader("content-type", "application/json");
          res.end(JSON.stringify({ jsonrpc: "2.0", id: parsed.id, error: { code: -32602, message: `query exceeds max block range ${maxLogRange}` } }));
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
  return {
    url: `http://127.0.0.1:${port}`,
    getLogsCalls,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A JSON-RPC proxy in front of a real node that answers HTTP 503 to everything while `failing` is set. */
export interface SwitchableProxy {
  url: string;
  failing: boolean;
  stop(): Promise<void>;
}

export async function startSwitchableProxy(upstream: string): Promise<SwitchableProxy> {
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", async () => {
      if (proxy.failing) {
        res.statusCode = 503;
        res.end("node unavailable");
        return;
      }
      const upstreamResponse = await fetch(upstream, { method: "POST", headers: { "content-type": "application/json" }, body });
      res.setHeader("content-type", "application/json");
      res.end(await upstreamResponse.text());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  const proxy: SwitchableProxy = {
    url: `http://127.0.0.1:${port}`,
    failing: false,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return proxy;
}
