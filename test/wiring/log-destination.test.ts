import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { once } from "node:events";
import { describe, expect, it } from "vitest";
import { batchedDestination } from "../../src/wiring/log-destination.js";

const root = join(import.meta.dirname, "../..");
const tempFile = () => join(mkdtempSync(join(tmpdir(), "farebox-log-destination-")), "log");
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function opened(file: string) {
  const destination = batchedDestination(file);
  await once(destination, "ready");
  return destination;
}

// deterministic generated lines: lengths from a few bytes to beyond a batch, ASCII and multi-byte
let seed = 11;
const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
const PIECES = ["a", "{\"level\":30}", "é", "日本", "😀", " ", "\\n", "x".repeat(100)] as const;
const generatedLine = (i: number) => {
  const size = random() < 0.05 ? 300 : 12;
  return `${i}:` + Array.from({ length: Math.floor(random() * size) }, () => PIECES[Math.floor(random() * PIECES.length)]).join("") + "\n";
};

describe("the log's batched destination", () => {
  it("writes every line once, in order, whatever their sizes and however they arrive", async () => {
    const file = tempFile();
    const destination = await opened(file);
    const lines: string[] = [];
    for (let i = 0; i < 5_000; i++) {
      const line = generatedLine(i);
      lines.push(line);
      destination.write(line);
      if (random() < 0.01) await sleep(1);
    }
    // written by the 200 ms timer at the latest (SonicBoom's flush callback comes on its next drain, not when all is written)
    const expected = lines.join("");
    for (let waited = 0; readFileSync(file, "utf8").length < expected.length && waited < 3_000; waited += 50) await sleep(50);
    expect(readFileSync(file, "utf8")).toBe(expected);
  });

  it("holds lines until 4 KB are waiting or 200 ms passed", async () => {
    const file = tempFile();
    const destination = await opened(file);
    const line = `{"msg":"request","path":"/api/v1/chat/completions"}\n`;
    for (let i = 0; i < 10; i++) destination.write(line);
    await sleep(20);
    expect(readFileSync(file, "utf8")).toBe("");
    await sleep(400);
    expect(readFileSync(file, "utf8")).toBe(line.repeat(10));
    for (let i = 0; i < 100; i++) destination.write(line);
    await sleep(50);
    const written = readFileSync(file, "utf8").length;
    expect(written).toBeGreaterThanOrEqual(line.length * 10 + 4_096);
    expect(written).toBeLessThan(line.length * 110);
    destination.flushSync();
  });

  it("writes what it holds synchronously on flushSync (pino's exit handler)", async () => {
    const file = tempFile();
    const destination = await opened(file);
    destination.write("first\n");
    destination.write("second\n");
    destination.flushSync();
    expect(readFileSync(file, "utf8")).toBe("first\nsecond\n");
  });

  it("loses no line when the process exits right after logging", () => {
    const file = tempFile();
    const script = `
      import { pino } from "pino";
      import { batchedDestination } from "./src/wiring/log-destination.ts";
      const destination = batchedDestination(${JSON.stringify(file)});
      destination.on("ready", () => {
        const logger = pino({}, destination);
        for (let i = 0; i < 3; i++) logger.info({ i }, "held");
        process.exit(0);
      });`;
    const run = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: root, encoding: "utf8" });
    expect(run.stderr).toBe("");
    const lines = readFileSync(file, "utf8").trim().split("\n").map((line) => JSON.parse(line) as { i: number; msg: string });
    expect(lines.map((line) => [line.i, line.msg])).toEqual([
      [0, "held"],
      [1, "held"],
      [2, "held"],
    ]);
  });
});
