/**
 * Preloaded into every farebox process by `MEMORY_BREAKDOWN=1 npm run bench:memory` (compiled to
 * plain JavaScript first, so no loader changes what it measures): at each SIGUSR2 the process
 * writes what its resident memory is made of to `${FAREBOX_MEMORY_OUT}.<pid>.json`: V8's heap
 * spaces (size reserved, used, resident), its code statistics (bytecode, machine code, the source
 * text kept for lazy compilation), memory outside the heap, and /proc/self/smaps' resident kB
 * grouped by what is mapped (the node binary, shared libraries, anonymous memory, other files).
 */
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { getHeapCodeStatistics, getHeapSpaceStatistics } from "node:v8";

const output = process.env.FAREBOX_MEMORY_OUT!;

/** Resident kB per kind of mapping, from /proc/self/smaps. */
function residentByMapping(): Record<string, number> {
  const groups: Record<string, number> = {};
  let group = "anonymous";
  for (const line of readFileSync("/proc/self/smaps", "utf8").split("\n")) {
    const mapping = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (mapping) {
      const name = mapping[1]!;
      group = name === "" ? "anonymous" : name === process.execPath ? "node binary" : /\.so(\.|$)/.test(name) ? "shared libraries" : name.startsWith("[") ? name : "other files";
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) groups[group] = (groups[group] ?? 0) + Number(rss[1]);
  }
  return groups;
}

function breakdown(): object {
  return {
    pid: process.pid,
    memoryUsage: process.memoryUsage(),
    heapSpaces: getHeapSpaceStatistics().map((space) => ({
      space: space.space_name,
      size: space.space_size,
      used: space.space_used_size,
      resident: space.physical_space_size,
    })),
    code: getHeapCodeStatistics(),
    residentKbByMapping: residentByMapping(),
  };
}

process.on("SIGUSR2", () => {
  const file = `${output}.${process.pid}.json`;
  // renamed into place whole: the benchmark reads it as soon as it exists
  writeFileSync(`${file}.part`, JSON.stringify(breakdown()));
  renameSync(`${file}.part`, file);
});
