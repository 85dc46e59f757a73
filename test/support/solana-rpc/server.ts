/**
 * A Solana JSON-RPC HTTP server (node:http, port 0) over {@link SolanaTestChain}: real signed
 * transactions executed by LiteSVM, answered in the wire format @solana/web3.js validates
 * (`{jsonrpc, id, result}` only, context methods as `{context:{slot}, value}`). Faults can be
 * injected per method: JSON-RPC errors, HTTP 500s, hangs (timeouts), slow responses and
 * results a client cannot decode.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { getTransactionDecoder } from "@solana/kit";
import { VersionedTransaction } from "@solana/web3.js";
import { encodeBase58, SolanaTestChain, toRpcError, type ChainOptions, type Commitment } from "./chain.js";
import { LogsWebSocket } from "./websocket.js";
import { jsonTransaction, parsedTransaction, signatureInfo, signatureStatus } from "./wire.js";

/** A fault applied to the next `times` calls of `method` (every method when omitted). */
export interface Fault {
  method?: string;
  kind: "rpc-error" | "http-500" | "hang" | "delay";
  times?: number;
  delayMs?: number;
  code?: number;
  message?: string;
  /** Only calls whose params satisfy this are affected. */
  when?: (params: unknown[]) => boolean;
}

interface RpcRequest {
  jsonrpc?: string;
  id?: unknown;
  method?: unknown;
  params?: unknown;
}

class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }
}

/** Running server handle. */
export interface SolanaRpcServer {
  url: string;
  /** WebSocket endpoint answering logsSubscribe. */
  wsUrl: string;
  /** Open logsSubscribe subscriptions. */
  subscriptionCount(): number;
  chain: SolanaTestChain;
  /** Calls per method, for asserting what a client did. */
  calls: Map<string, number>;
  /** Params of every call, per method. */
  log: Map<string, unknown[][]>;
  inject(fault: Fault): void;
  /** Makes `getTransaction` of these signatures answer with a shape the client cannot decode. */
  corrupt(signature: string): void;
  clearFaults(): void;
  close(): Promise<void>;
}

/** Starts the server on a free port. */
export async function startSolanaRpc(options: ChainOptions = {}): Promise<SolanaRpcServer> {
  const chain = new SolanaTestChain(options);
  const faults: (Fault & { remaining: number })[] = [];
  const corrupted = new Set<string>();
  const calls = new Map<string, number>();
  const log = new Map<string, unknown[][]>();
  const hanging = new Set<ServerResponse>();

  const takeFault = (method: string, params: unknown[]): Fault | undefined => {
    const index = faults.findIndex(
      (fault) => (fault.method === undefined || fault.method === method) && (fault.when?.(params) ?? true),
    );
    if (index < 0) return undefined;
    const fault = faults[index]!;
    fault.remaining -= 1;
    if (fault.remaining <= 0) faults.splice(index, 1);
    return fault;
  };

  const handleOne = (request: RpcRequest, transportFaults: Fault[]): Record<string, unknown> => {
    const id = request.id ?? null;
    const method = typeof request.method === "string" ? request.method : "";
    const params = Array.isArray(request.params) ? (request.params as unknown[]) : [];
    calls.set(method, (calls.get(method) ?? 0) + 1);
    const entries = log.get(method) ?? [];
    entries.push(params);
    log.set(method, entries);
    const fault = takeFault(method, params);
    try {
      if (fault !== undefined && fault.kind === "rpc-error") {
        throw new RpcError(fault.code ?? -32005, fault.message ?? "Node is behind");
      }
      if (fault !== undefined) transportFaults.push(fault);
      return { jsonrpc: "2.0", id, result: dispatch(chain, corrupted, method, params) };
    } catch (error) {
      if (error instanceof RpcError) {
        const body: Record<string, unknown> = { code: error.code, message: error.message };
        if (error.data !== undefined) body.data = error.data;
        return { jsonrpc: "2.0", id, error: body };
      }
      return { jsonrpc: "2.0", id, error: { code: -32603, message: `Internal error: ${String(error)}` } };
    }
  };

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      let payload: unknown;
      try {
        payload = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        send(res, 200, { jsonrpc: "2.0", id: null, error: { code: -32700, message: "Parse error" } });
        return;
      }
      const transportFaults: Fault[] = [];
      const body = Array.isArray(payload)
        ? payload.map((item) => handleOne(item as RpcRequest, transportFaults))
        : handleOne(payload as RpcRequest, transportFaults);
      const fault = transportFaults[0];
      if (fault === undefined) return send(res, 200, body);
      if (fault.kind === "hang") {
        hanging.add(res);
        return;
      }
      if (fault.kind === "http-500") return send(res, 500, { message: "upstream unavailable" });
      setTimeout(() => send(res, 200, body), fault.delayMs ?? 500);
    });
  });
  const websocket = new LogsWebSocket();
  chain.listeners.push((record) => websocket.publish(record));
  server.on("upgrade", (req, socket) => websocket.upgrade(req, socket));
  // Idle keep-alive sockets must outlive the client's pool, or a reused socket resets mid-request.
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 121_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}`,
    subscriptionCount: () => websocket.subscriptionCount,
    chain,
    calls,
    log,
    inject: (fault) => faults.push({ ...fault, remaining: fault.times ?? 1 }),
    corrupt: (signature) => corrupted.add(signature),
    clearFaults: () => faults.splice(0, faults.length),
    close: async () => {
      for (const res of hanging) res.destroy();
      websocket.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.destroyed) return;
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

function config(params: unknown[], index: number): Record<string, unknown> {
  const value = params[index];
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
}

function commitmentOf(cfg: Record<string, unknown>, fallback: Commitment = "finalized"): Commitment {
  const value = cfg.commitment;
  if (value === "processed" || value === "confirmed" || value === "finalized") return value;
  if (value === undefined) return fallback;
  throw new RpcError(-32602, `Invalid params: unknown commitment ${String(value)}`);
}

function stringParam(params: unknown[], index: number): string {
  const value = params[index];
  if (typeof value !== "string") throw new RpcError(-32602, "Invalid params: expected a string");
  return value;
}

function withContext(chain: SolanaTestChain, commitment: Commitment, value: unknown): unknown {
  return { context: { apiVersion: "2.2.0", slot: chain.slotAt(commitment) }, value };
}

function dispatch(chain: SolanaTestChain, corrupted: Set<string>, method: string, params: unknown[]): unknown {
  switch (method) {
    case "getSlot":
    case "getBlockHeight":
      return chain.slotAt(commitmentOf(config(params, 0)));
    case "getHealth":
      return "ok";
    case "getVersion":
      return { "solana-core": "2.2.0", "feature-set": 0 };
    case "getLatestBlockhash": {
      const commitment = commitmentOf(config(params, 0));
      return withContext(chain, commitment, {
        blockhash: chain.svm.latestBlockhash(),
        lastValidBlockHeight: chain.slotAt("processed") + 150,
      });
    }
    case "getBalance":
      return withContext(chain, commitmentOf(config(params, 1)), Number(chain.lamports(stringParam(params, 0))));
    case "getMinimumBalanceForRentExemption":
      return Number(chain.svm.minimumBalanceForRentExemption(BigInt(Number(params[0] ?? 0))));
    case "getAccountInfo":
      return getAccountInfo(chain, params);
    case "getTokenAccountBalance":
      return getTokenAccountBalance(chain, params);
    case "sendTransaction":
      return sendTransaction(chain, params);
    case "simulateTransaction":
      return simulateTransaction(chain, params);
    case "getSignatureStatuses": {
      const signatures = Array.isArray(params[0]) ? (params[0] as unknown[]) : [];
      return withContext(
        chain,
        "processed",
        signatures.map((signature) => {
          const record = typeof signature === "string" ? chain.anyTransaction(signature) : undefined;
          return record === undefined ? null : signatureStatus(chain, record);
        }),
      );
    }
    case "getSignaturesForAddress":
      return getSignaturesForAddress(chain, params);
    case "getTransaction":
      return getTransaction(chain, corrupted, params);
    default:
      throw new RpcError(-32601, "Method not found");
  }
}

function getAccountInfo(chain: SolanaTestChain, params: unknown[]): unknown {
  const cfg = config(params, 1);
  const account = chain.svm.getAccount(stringParam(params, 0) as Parameters<typeof chain.svm.getAccount>[0]);
  if (!account.exists) return withContext(chain, commitmentOf(cfg), null);
  return withContext(chain, commitmentOf(cfg), {
    data: [Buffer.from(account.data).toString("base64"), "base64"],
    executable: account.executable,
    lamports: Number(account.lamports),
    owner: account.programAddress.toString(),
    rentEpoch: 0,
    space: account.data.length,
  });
}

function getTokenAccountBalance(chain: SolanaTestChain, params: unknown[]): unknown {
  const address = stringParam(params, 0);
  const account = chain.svm.getAccount(address as Parameters<typeof chain.svm.getAccount>[0]);
  if (!account.exists) throw new RpcError(-32602, "Invalid param: could not find account");
  const token = chain.tokenAccount(address);
  if (token === null) throw new RpcError(-32602, "Invalid param: not a Token account");
  const ui = Number(token.amount) / 10 ** token.decimals;
  return withContext(chain, commitmentOf(config(params, 1)), {
    amount: token.amount.toString(),
    decimals: token.decimals,
    uiAmount: ui,
    uiAmountString: ui.toString(),
  });
}

/**
 * `simulateTransaction` as a node answers it: `{context, value: {err, logs, accounts, unitsConsumed,
 * returnData, innerInstructions}}`, nothing recorded. `sigVerify: false` (the default, as on a node)
 * simulates a transaction still missing a signature, e.g. an x402 payment before the fee payer signs.
 */
function simulateTransaction(chain: SolanaTestChain, params: unknown[]): unknown {
  const cfg = config(params, 1);
  const encoded = stringParam(params, 0);
  if (cfg.encoding !== "base64") throw new RpcError(-32602, "Invalid params: only base64 encoding is supported");
  let decoded: ReturnType<ReturnType<typeof getTransactionDecoder>["decode"]>;
  try {
    decoded = getTransactionDecoder().decode(Buffer.from(encoded, "base64"));
  } catch {
    throw new RpcError(-32602, "failed to deserialize transaction");
  }
  chain.svm.withSigverify(cfg.sigVerify === true);
  let result: ReturnType<typeof chain.svm.simulateTransaction>;
  try {
    result = chain.svm.simulateTransaction(decoded);
  } finally {
    chain.svm.withSigverify(true);
  }
  const failed = "err" in result && typeof result.err === "function";
  const meta = failed ? (result as { meta(): ReturnType<typeof result.meta> }).meta() : result.meta();
  const innerInstructions = meta.innerInstructions().map((instructions, index) => ({
    index,
    instructions: instructions.map((inner) => ({
      programIdIndex: inner.instruction().programIdIndex(),
      accounts: [...inner.instruction().accounts()],
      data: encodeBase58(inner.instruction().data()),
      stackHeight: inner.stackHeight(),
    })),
  }));
  return withContext(chain, commitmentOf(cfg, "confirmed"), {
    err: failed ? toRpcError((result as { err(): unknown }).err()) : null,
    logs: meta.logs(),
    accounts: null,
    unitsConsumed: Number(meta.computeUnitsConsumed()),
    returnData: null,
    ...(cfg.innerInstructions === true ? { innerInstructions: innerInstructions.filter((entry) => entry.instructions.length > 0) } : {}),
  });
}

function sendTransaction(chain: SolanaTestChain, params: unknown[]): string {
  const cfg = config(params, 1);
  const encoded = stringParam(params, 0);
  const bytes = cfg.encoding === "base64" ? Buffer.from(encoded, "base64") : null;
  if (bytes === null) throw new RpcError(-32602, "Invalid params: only base64 encoding is supported");
  let tx: VersionedTransaction;
  try {
    tx = VersionedTransaction.deserialize(bytes);
  } catch {
    throw new RpcError(-32602, "failed to deserialize transaction");
  }
  if (cfg.skipPreflight !== true) {
    const simulated = chain.svm.simulateTransaction(getTransactionDecoder().decode(bytes));
    if ("err" in simulated && typeof simulated.err === "function") {
      throw new RpcError(-32002, "Transaction simulation failed: Error processing Instruction", {
        err: String(simulated.err()),
        logs: simulated.meta().logs(),
      });
    }
  }
  try {
    return chain.send(tx).signature;
  } catch (error) {
    throw new RpcError(-32002, `Transaction simulation failed: ${String(error)}`);
  }
}

function getSignaturesForAddress(chain: SolanaTestChain, params: unknown[]): unknown[] {
  const address = stringParam(params, 0);
  const cfg = config(params, 1);
  const commitment = commitmentOf(cfg);
  if (commitment === "processed") throw new RpcError(-32602, "Method does not support commitment below `confirmed`");
  const limit = cfg.limit === undefined ? 1000 : Number(cfg.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new RpcError(-32602, "Invalid limit; max 1000");
  let list = chain.transactionsFor(address, commitment);
  if (typeof cfg.before === "string") {
    const index = list.findIndex((record) => record.signature === cfg.before);
    list = index < 0 ? [] : list.slice(index + 1);
  }
  if (typeof cfg.until === "string") {
    const index = list.findIndex((record) => record.signature === cfg.until);
    // An unknown `until` is ignored, as a node does (the newest `limit` come back).
    if (index >= 0) list = list.slice(0, index);
  }
  return list.slice(0, limit).map((record) => signatureInfo(chain, record));
}

function getTransaction(chain: SolanaTestChain, corrupted: Set<string>, params: unknown[]): unknown {
  const signature = stringParam(params, 0);
  const cfg = config(params, 1);
  const commitment = commitmentOf(cfg);
  if (commitment === "processed") throw new RpcError(-32602, "Method does not support commitment below `confirmed`");
  const record = chain.transaction(signature, commitment);
  if (record === undefined) return null;
  const version = record.transaction.message.version;
  if (version !== "legacy" && (typeof cfg.maxSupportedTransactionVersion !== "number" || cfg.maxSupportedTransactionVersion < version)) {
    throw new RpcError(
      -32015,
      `Transaction version (${version}) is not supported by the requesting client. Please try the request again with the following configuration parameter: "maxSupportedTransactionVersion": ${version}`,
    );
  }
  const body = cfg.encoding === "jsonParsed" ? parsedTransaction(record) : jsonTransaction(record);
  // A transaction version this client library predates (as 1.98 met v1 on mainnet).
  if (corrupted.has(signature)) return { ...body, version: 2 };
  return body;
}
