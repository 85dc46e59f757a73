import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));
const depcruise = join(root, "node_modules/dependency-cruiser/bin/dependency-cruise.mjs");

interface Violation {
  rule: string;
  from: string;
  to: string;
}

/** Runs the same check `npm run check` runs (depcruise with the project's rules) in `cwd`. */
async function violationsIn(cwd: string): Promise<Violation[]> {
  const run = await promisify(execFile)(
    process.execPath,
    [depcruise, "src", "--config", ".dependency-cruiser.cjs", "--output-type", "json"],
    { cwd, maxBuffer: 64 * 1024 * 1024 },
  ).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? "" }));
  const result = JSON.parse(run.stdout) as { summary: { violations: { rule: { name: string }; from: string; to: string }[] } };
  return result.summary.violations.map((violation) => ({ rule: violation.rule.name, from: violation.from, to: violation.to }));
}

/**
 * A miniature src/ tree: each file imports what its key says. Imports against DESIGN.md's
 * direction must fail with the rule of the importing folder; the allowed ones must pass.
 */
const fixture: Record<string, string[]> = {
  "domain/money.ts": ["../db/client.js"],
  "db/client.ts": ["../domain/money.js", "../ledger/holds.js"],
  "ledger/holds.ts": ["../db/client.js", "../gateway/chat-gateway.js"],
  "providers/openai.ts": ["../domain/money.js", "../db/client.js"],
  "routing/planner.ts": ["../catalog/types.js", "../ledger/holds.js"],
  "catalog/types.ts": [],
  "chains/observation.ts": [],
  "chains/evm/scanner.ts": ["../observation.js", "../solana/scanner.js"],
  "chains/solana/scanner.ts": ["../observation.js"],
  "deposits/credit.ts": ["../chains/evm/scanner.js", "../ledger/holds.js"],
  "gateway/ports.ts": [],
  "gateway/chat-gateway.ts": ["./ports.js", "../ledger/holds.js", "../routing/planner.js", "../analytics/rollups.js", "../http/routes.js"],
  "analytics/rollups.ts": ["../db/client.js", "../gateway/ports.js"],
  "metrics/registry.ts": ["../analytics/rollups.js"],
  "byok/store.ts": [],
  "config/schema.ts": ["../byok/store.js"],
  "formats/chat.ts": ["../gateway/ports.js", "../gateway/chat-gateway.js"],
  "x402/verify.ts": ["../deposits/credit.js", "../gateway/ports.js", "../http/routes.js"],
  "web/app.ts": ["./api-types.js", "../domain/money.js"],
  "web/api-types.ts": [],
  "http/routes.ts": ["../gateway/chat-gateway.js", "../workers/expiry.js"],
  "workers/expiry.ts": ["../deposits/credit.js", "../ledger/holds.js"],
  "keys/a.ts": ["./b.js"],
  "keys/b.ts": ["./a.js"],
};

const expected: Violation[] = [
  { rule: "domain-imports", from: "src/domain/money.ts", to: "src/db/client.ts" },
  { rule: "db-imports", from: "src/db/client.ts", to: "src/ledger/holds.ts" },
  { rule: "ledger-imports", from: "src/ledger/holds.ts", to: "src/gateway/chat-gateway.ts" },
  { rule: "providers-imports", from: "src/providers/openai.ts", to: "src/db/client.ts" },
  { rule: "routing-imports", from: "src/routing/planner.ts", to: "src/ledger/holds.ts" },
  { rule: "chains/evm-imports", from: "src/chains/evm/scanner.ts", to: "src/chains/solana/scanner.ts" },
  { rule: "gateway-imports", from: "src/gateway/chat-gateway.ts", to: "src/analytics/rollups.ts" },
  { rule: "gateway-imports", from: "src/gateway/chat-gateway.ts", to: "src/http/routes.ts" },
  { rule: "analytics-imports", from: "src/analytics/rollups.ts", to: "src/gateway/ports.ts" },
  { rule: "metrics-imports", from: "src/metrics/registry.ts", to: "src/analytics/rollups.ts" },
  { rule: "config-imports", from: "src/config/schema.ts", to: "src/byok/store.ts" },
  { rule: "formats-imports", from: "src/formats/chat.ts", to: "src/gateway/chat-gateway.ts" },
  { rule: "x402-imports", from: "src/x402/verify.ts", to: "src/http/routes.ts" },
  { rule: "web-imports", from: "src/web/app.ts", to: "src/domain/money.ts" },
  { rule: "http-imports", from: "src/http/routes.ts", to: "src/workers/expiry.ts" },
];

const order = (list: Violation[]) => [...list].sort((a, b) => `${a.rule} ${a.from} ${a.to}`.localeCompare(`${b.rule} ${b.from} ${b.to}`));

describe("the dependency direction (DESIGN.md §1) checked by npm run check", () => {
  const work = mkdtempSync(join(tmpdir(), "farebox-depcruise-"));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("fails each import against the direction, and each cycle, naming the rule; passes the allowed ones", async () => {
    copyFileSync(join(root, ".dependency-cruiser.cjs"), join(work, ".dependency-cruiser.cjs"));
    copyFileSync(join(root, "tsconfig.json"), join(work, "tsconfig.json"));
    for (const [file, imports] of Object.entries(fixture)) {
      const path = join(work, "src", file);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, [...imports.map((spec, index) => `import * as m${index} from "${spec}";`), `export const used = [${imports.map((_, index) => `m${index}`).join(", ")}];`, ""].join("\n"));
    }
    const found = await violationsIn(work);
    const cycles = found.filter((violation) => violation.rule === "no-circular");
    expect(order(found.filter((violation) => violation.rule !== "no-circular"))).toEqual(order(expected));
    // keys/a.ts ↔ keys/b.ts is a cycle allowed by direction alone (the fixture's other cycles pass
    // through imports already refused above)
    expect(cycles.filter((violation) => violation.from.startsWith("src/keys/"))).toHaveLength(1);
    expect(cycles.find((violation) => violation.from.startsWith("src/keys/"))?.to).toMatch(/^src\/keys\/[ab]\.ts$/);
  }, 60_000);

  it("finds no violation in the real src/", async () => {
    expect(await violationsIn(root)).toEqual([]);
  }, 60_000);
});
