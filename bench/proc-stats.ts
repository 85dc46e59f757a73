/**
 * CPU time and resident memory of processes, read from /proc (Linux): load on the machine does
 * not change how much CPU a request costs, so this is the benchmark's figure that holds when the
 * machine is busy. Ticks are USER_HZ (100 per second on Linux).
 */
import { readdirSync, readFileSync } from "node:fs";

const TICK_MS = 10;
const PAGE_KB = 4;

function statFields(pid: number): string[] | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // the command name (field 2) may hold spaces: split after its closing parenthesis
    const close = text.lastIndexOf(")");
    return [String(pid), text.slice(text.indexOf("(") + 1, close), ...text.slice(close + 2).split(" ")];
  } catch {
    return undefined; // the process is gone
  }
}

/** Every live pid with its parent and command name. */
function processTable(): { pid: number; ppid: number; comm: string }[] {
  const rows = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statFields(Number(entry));
    if (fields) rows.push({ pid: Number(entry), ppid: Number(fields[3]), comm: fields[1]! });
  }
  return rows;
}

/** `root` and its descendants whose command name is `comm` (e.g. every node process under an npm or sh wrapper). */
export function processTree(root: number, comm?: string): number[] {
  const table = processTable();
  const found = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const row of table) {
      if (!found.has(row.pid) && found.has(row.ppid)) {
        found.add(row.pid);
        grew = true;
      }
    }
  }
  return table.filter((row) => found.has(row.pid) && (comm === undefined || row.comm === comm)).map((row) => row.pid);
}

/** User + system CPU time of `pids` so far, in ms (a pid that has exited counts 0). */
export function cpuMs(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    const fields = statFields(pid);
    if (fields) ticks += Number(fields[13]) + Number(fields[14]);
  }
  return ticks * TICK_MS;
}

/** Resident set size of `pids` together, in MB. */
export function rssMb(pids: readonly number[]): number {
  let pages = 0;
  for (const pid of pids) {
    try {
      pages += Number(readFileSync(`/proc/${pid}/statm`, "utf8").split(" ")[1]);
    } catch {
      // gone
    }
  }
  return (pages * PAGE_KB) / 1024;
}
