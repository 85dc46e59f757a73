/**
 * The one place a @solana/web3.js `Connection` is made: every RPC call gets a deadline (a
 * hung node must fail the pass, not stall the listener forever), 429 retries are left to the
 * listener's own backoff, and no socket is opened until a method is called.
 */
import { Connection, type ConnectionConfig, type Finality } from "@solana/web3.js";

/** What the listener needs to reach a Solana RPC node. */
export interface SolanaConnectionOptions {
  rpcUrl: string;
  /** Only used to be woken sooner (onLogs); never a source of credits. */
  wsUrl?: string;
  commitment: Finality;
  /** Deadline per HTTP request. */
  timeoutMs?: number;
  /** Injected fetch (tests, proxies); defaults to the global one. */
  fetch?: typeof globalThis.fetch;
}

/** Error raised when an RPC request exceeds its deadline. */
export class SolanaRpcTimeoutError extends Error {
  constructor(timeoutMs: number) {
    super(`Solana RPC request timed out after ${timeoutMs} ms`);
    this.name = "SolanaRpcTimeoutError";
  }
}

/** Builds a Connection whose requests time out after `timeoutMs` (default 15 s). */
export function createSolanaConnection(options: SolanaConnectionOptions): Connection {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const baseFetch = options.fetch ?? globalThis.fetch;
  const timedFetch = async (input: Parameters<typeof fetch>[0], init?: RequestInit): Promise<Response> => {
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      return await baseFetch(input, { ...init, signal });
    } catch (error) {
      // web3.js only forwards `Error` instances; make the deadline explicit.
      if (signal.aborted) throw new SolanaRpcTimeoutError(timeoutMs);
      throw error instanceof Error ? error : new Error(String(error));
    }
  };
  const config: ConnectionConfig = {
    commitment: options.commitment,
    disableRetryOnRateLimit: true,
    fetch: timedFetch as unknown as NonNullable<ConnectionConfig["fetch"]>,
  };
  if (options.wsUrl !== undefined) config.wsEndpoint = options.wsUrl;
  return new Connection(options.rpcUrl, config);
}
