/**
 * The cluster primary's log lines, in pino's shape (`{"level":30,"time":…,"pid":…,"hostname":…,
 * …fields,"msg":…}` on stdout) without loading pino: the primary writes a handful of lines in its
 * life, and pino with its dependencies is ≈7 MB of its resident memory (npm run bench:memory).
 */
import { hostname } from "node:os";

const LEVELS = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 } as const;

type Write = (fields: Record<string, unknown>, message: string) => void;

/** What the primary logs with. */
export interface PrimaryLog {
  info: Write;
  error: Write;
  fatal: Write;
}

/** A log at `level` (LOG_LEVEL's names; "silent" writes nothing). */
export function primaryLog(level: string): PrimaryLog {
  const threshold = level in LEVELS ? LEVELS[level as keyof typeof LEVELS] : Number.POSITIVE_INFINITY;
  const host = hostname();
  const at =
    (value: number): Write =>
    (fields, message) => {
      if (value < threshold) return;
      process.stdout.write(`${JSON.stringify({ level: value, time: Date.now(), pid: process.pid, hostname: host, ...fields, msg: message })}\n`);
    };
  return { info: at(LEVELS.info), error: at(LEVELS.error), fatal: at(LEVELS.fatal) };
}
