/**
 * A JSON-RPC proxy in front of a real node, with what hosted providers do to a client: it can
 * refuse eth_getLogs over more than `maxLogRange` blocks with Infura's range error, it answers
 * HTTP 503 to everything while `failing` is set (a node that is down), and while `logsLag` is set it
 * answers eth_getLogs as a load-balanced node that many blocks behind the head would: a range past its
 * own head gets the partial result (no error), a block hash it has not seen yet gets "unknown block".
 * Methods in `refusedMethods` get "method not found" (-32601), as from a node without tracing.
 * Once a request of method `stallAfter` has been answered, no request is answered any more (a process
 * caught right after sending a transaction).
 */
import { createServer, type Server } from "node:http";

export interface RpcProxy {
  url: string;
  /** Range eth_getLogs calls; calls by block hash are counted in `getLogsByHashCalls`. */
  getLogsCalls: { from: bigint; to: bigint; refused: boolean }[];
  getLogsByHashCalls: number;
  /** While true, every request gets HTTP 503. */
  failing: boolean;
  /** While above 0, eth_getLogs is answered by a node this many blocks behind the head. */
  logsLag: number;
  /** After answering this method once, answer nothing more. */
  stallAfter: string | undefined;
  stalled: boolean;
  stop(): Promise<void>;
}

type RpcRequest = { id: number; method: string; params: { fromBlock?: string; toBlock?: string; blockHash?: string }[] };

async function call(upstream: string, method: string, params: unknown[]): Promise<unknown> {
  const response = await fetch(upstream, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }) });
  return ((await response.json()) as { result: unknown }).result;
}

export async function startRpcProxy(upstream: string, options: { maxLogRange?: bigint; refusedMethods?: string[] } = {}): Promise<RpcProxy> {
  /** The answer a lagging node gives to eth_getLogs, or undefined to forward the request as is. */
  async function laggingLogs(parsed: RpcRequest): Promise<string | undefined> {
    if (proxy.logsLag <= 0) return undefined;
    const head = BigInt((await call(upstream, "eth_blockNumber", [])) as string) - BigInt(proxy.logsLag);
    const filter = parsed.params[0] ?? {};
    if (filter.blockHash) {
      const block = (await call(upstream, "eth_getBlockByHash", [filter.blockHash, false])) as { number: string } | null;
      if (!block || BigInt(block.number) > head) return JSON.stringify({ jsonrpc: "2.0", id: parsed.id, error: { code: -32000, message: "unknown block" } });
      return undefined;
    }
    const from = BigInt(filter.fromBlock ?? "0x0");
    if (from > head) return JSON.stringify({ jsonrpc: "2.0", id: parsed.id, result: [] });
    const to = filter.toBlock === undefined || filter.toBlock === "latest" || BigInt(filter.toBlock) > head ? head : BigInt(filter.toBlock);
    const result = await call(upstream, "eth_getLogs", [{ ...filter, toBlock: `0x${to.toString(16)}` }]);
    return JSON.stringify({ jsonrpc: "2.0", id: parsed.id, result });
  }

  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", async () => {
      if (proxy.failing) {
        res.statusCode = 503;
        res.end("node unavailable");
        return;
      }
      if (proxy.stalled) return; // never answered
      const parsed = JSON.parse(body) as RpcRequest;
      res.setHeader("content-type", "application/json");
      if (!Array.isArray(parsed) && options.refusedMethods?.includes(parsed.method)) {
        res.end(JSON.stringify({ jsonrpc: "2.0", id: parsed.id, error: { code: -32601, message: `the method ${parsed.method} does not exist/is not available` } }));
        return;
      }
      if (!Array.isArray(parsed) && parsed.method === "eth_getLogs") {
        if (parsed.params[0]?.blockHash) proxy.getLogsByHashCalls += 1;
        else if (options.maxLogRange !== undefined) {
          const from = BigInt(parsed.params[0]?.fromBlock ?? "0x0");
          const to = BigInt(parsed.params[0]?.toBlock ?? "0x0");
          const refused = to - from + 1n > options.maxLogRange;
          proxy.getLogsCalls.push({ from, to, refused });
          if (refused) {
            res.end(JSON.stringify({ jsonrpc: "2.0", id: parsed.id, error: { code: -32602, message: `query exceeds max block range ${options.maxLogRange}` } }));
            return;
          }
        }
        const lagging = await laggingLogs(parsed);
        if (lagging !== undefined) {
          res.end(lagging);
          return;
        }
      }
      const upstreamResponse = await fetch(upstream, { method: "POST", headers: { "content-type": "application/json" }, body });
      res.end(await upstreamResponse.text());
      if (!Array.isArray(parsed) && parsed.method === proxy.stallAfter) proxy.stalled = true;
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  const proxy: RpcProxy = {
    url: `http://127.0.0.1:${port}`,
    getLogsCalls: [],
    getLogsByHashCalls: 0,
    failing: false,
    logsLag: 0,
    stallAfter: undefined,
    stalled: false,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return proxy;
}
