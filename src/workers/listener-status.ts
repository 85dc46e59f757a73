import type { ChainListenerSnapshot } from "../metrics/farebox-metrics.js";

/** What one chain's listener reports after each successful pass. */
export interface ListenerReporter {
  /**
   * A pass succeeded: the chain's head (newest block or slot) it saw, and the block or slot it
   * has processed through. Stamped with the status clock as the last success.
   */
  passSucceeded(headBlock: bigint, cursorBlock: bigint): void;
}

/**
 * Where this process's chain listeners stand, kept in memory: GET /metrics reads it at scrape
 * time for each chain's lag (head minus cursor) and last successful pass. Only successful passes
 * report, so a failing RPC leaves the last-success time where it was and the lag as last seen.
 * A chain appears once its listener has completed a pass in this process.
 */
export class ChainListenerStatus {
  private readonly chains = new Map<string, ChainListenerSnapshot>();

  constructor(private readonly clock: () => Date = () => new Date()) {}

  /** The reporter one chain's listener calls after each pass. */
  forChain(chain: string): ListenerReporter {
    return {
      passSucceeded: (headBlock, cursorBlock) => {
        this.chains.set(chain, { chain, headBlock, cursorBlock, lastSuccessAt: this.clock() });
      },
    };
  }

  /** Every reporting chain's latest position, for /metrics. */
  snapshots(): ChainListenerSnapshot[] {
    return [...this.chains.values()].map((snapshot) => ({ ...snapshot }));
  }
}
