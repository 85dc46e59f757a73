/**
 * Where the log's lines go: a file descriptor (stdout) or a file, written asynchronously in batches.
 */
import { pino } from "pino";

// Lines are gathered until 4 KB or 200 ms, whichever comes first: one write per line (one per
// request) cost ≈7% of a gateway's busy time at 500 req/s (npm run bench:profile).
const LOG_BUFFER_BYTES = 4_096;
const LOG_FLUSH_INTERVAL_MS = 200;

type Destination = ReturnType<typeof pino.destination>;

/**
 * pino's SonicBoom destination, written asynchronously in batches; its timer is unref'd. What is
 * still buffered is written on a clean stop (serve.ts flushes before exiting) and, synchronously, by
 * pino's exit handler on any exit; only a killed process (SIGKILL) loses its last 200 ms of lines.
 *
 * The lines of a batch are gathered here in an array and handed to SonicBoom joined. SonicBoom
 * appends each line to one string and measures that string (`Buffer.byteLength`) at every write,
 * which flattens it each time: with 4 KB batches every line copied the ≈2 KB gathered before it
 * (2.2 KB allocated per request, ≈1 µs of CPU per line in a micro-benchmark; bench/RESULTS.md,
 * "Fifth pass"). The gathering is done on the SonicBoom itself (its write, flush, flushSync and end)
 * because that is the object pino flushes at exit.
 */
export function batchedDestination(dest: number | string): Destination {
  const sonic = pino.destination({ dest, sync: false, minLength: LOG_BUFFER_BYTES, periodicFlush: LOG_FLUSH_INTERVAL_MS });
  const write = sonic.write.bind(sonic);
  const flush = sonic.flush.bind(sonic);
  const flushSync = sonic.flushSync.bind(sonic);
  const end = sonic.end.bind(sonic);
  let lines: string[] = [];
  let gathered = 0;
  const handOver = (): void => {
    if (lines.length === 0) return;
    const batch = lines.join("");
    lines = [];
    gathered = 0;
    write(batch);
  };
  sonic.write = (line: string): boolean => {
    lines.push(line);
    // characters, not bytes: only when to hand over depends on it (a batch has at least as many bytes)
    gathered += line.length;
    if (gathered >= LOG_BUFFER_BYTES) handOver();
    return true;
  };
  // SonicBoom's own timer calls flush (every 200 ms), as do pino's `logger.flush` and its beforeExit handler
  sonic.flush = (callback?: (error?: Error) => void): void => {
    handOver();
    flush(callback);
  };
  // At exit there is no event loop: the last lines are handed over in SonicBoom's synchronous mode,
  // so that a full batch is not started as an asynchronous write that would never finish.
  sonic.flushSync = (): void => {
    const mode = sonic as unknown as { sync: boolean };
    const sync = mode.sync;
    mode.sync = true;
    try {
      handOver();
    } finally {
      mode.sync = sync;
    }
    flushSync();
  };
  sonic.end = (): void => {
    handOver();
    end();
  };
  return sonic;
}
