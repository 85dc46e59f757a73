/**
 * Compiles the test contracts in contracts-abi/sources with solc-js (offline wasm) and writes
 * contracts-abi/test/<Name>.json ({ source, abi, bytecode, deployedBytecode }).
 * Run: `npx tsx test/support/compile-contracts.ts` after editing a source.
 */
import { createRequire } from "node:module";
import { readFileSync, writeFileSync, mkdirSync, readdirSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const solc = require("solc") as { compile(input: string): string; version(): string };

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "contracts-abi");
const sourcesDir = join(root, "sources");
const outDir = join(root, "test");
mkdirSync(outDir, { recursive: true });

const sources: Record<string, { content: string }> = {};
for (const file of readdirSync(sourcesDir).filter((f) => f.endsWith(".sol"))) {
  sources[file] = { content: readFileSync(join(sourcesDir, file), "utf8") };
}
const output = JSON.parse(
  solc.compile(
    JSON.stringify({
      language: "Solidity",
      sources,
      settings: {
        evmVersion: "paris",
        optimizer: { enabled: true, runs: 200 },
        outputSelection: { "*": { "*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"] } },
      },
    }),
  ),
) as {
  errors?: { severity: string; formattedMessage: string }[];
  contracts: Record<string, Record<string, { abi: unknown; evm: { bytecode: { object: string }; deployedBytecode: { object: string } } }>>;
};
const errors = (output.errors ?? []).filter((e) => e.severity === "error");
if (errors.length > 0) throw new Error(errors.map((e) => e.formattedMessage).join("\n"));
for (const [file, contracts] of Object.entries(output.contracts)) {
  for (const [name, c] of Object.entries(contracts)) {
    const artifact = {
      source: `contracts-abi/sources/${file}, compiled with solc-js ${solc.version()} (evm paris, optimizer 200 runs)`,
      abi: c.abi,
      bytecode: `0x${c.evm.bytecode.object}`,
      deployedBytecode: `0x${c.evm.deployedBytecode.object}`,
    };
    writeFileSync(join(outDir, `${name}.json`), `${JSON.stringify(artifact, null, 2)}\n`);
    console.log(`wrote contracts-abi/test/${name}.json`);
  }
}
