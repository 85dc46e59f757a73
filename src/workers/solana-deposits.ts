/** Starts the Solana deposit listener of the configured chain; it stops when `signal` aborts. */
import type { Db } from "../db/client.js";
import { createSolanaConnection } from "../chains/solana/connection.js";
import type { SolanaDepositRuntime } from "../deposits/solana-chain.js";
import { createSolanaListenerStore, SolanaBatchDeferred } from "../deposits/solana-sync.js";
import type { ListenerLog } from "./evm-listeners.js";
import type { ChainListenerStatus } from "./listener-status.js";
import { runSolanaListener } from "./solana-listener.js";

/** Runs the listener until abort, reporting its passes to `status`; the promise settles after the current pass. */
export function startSolanaListener(options: {
  db: Db;
  runtime: SolanaDepositRuntime;
  signal: AbortSignal;
  now: () => Date;
  log: ListenerLog;
  status?: ChainListenerStatus;
}): Promise<void> {
  const { runtime, log } = options;
  const chain = runtime.description.chain;
  const connection = createSolanaConnection({
    rpcUrl: runtime.config.rpc_url,
    wsUrl: runtime.config.ws_url,
    commitment: runtime.config.commitment,
  });
  const scan = {
    ...runtime.scan,
    logger: { warn: (message: string, details?: Record<string, unknown>) => log.warn({ chain, ...details }, message) },
  };
  return runSolanaListener({
    connection,
    scan,
    store: createSolanaListenerStore({
      db: options.db,
      chain,
      scan,
      valuer: runtime.valuer,
      now: options.now,
      onWaiting: (reason) => log.warn({ chain, reason }, "Solana deposits of an asset wait for its price"),
    }),
    pollIntervalMs: runtime.config.poll_interval_ms,
    wakeOnLogs: Boolean(runtime.config.ws_url),
    signal: options.signal,
    status: options.status?.forChain(chain),
    onPass: (result) => {
      if (result.observations > 0) log.info({ chain, observations: result.observations }, "Solana deposits processed");
    },
    onError: (error) => {
      if (error instanceof SolanaBatchDeferred) log.warn({ chain, reason: error.message }, "Solana crediting deferred");
      else log.error({ chain, err: error }, "Solana listener pass failed; retrying");
    },
  });
}
