/**
 * Compiles the contracts in contracts-abi/sources with solc-js (offline wasm). Run as a script
 * (`npx tsx test/support/compile-contracts.ts`) after editing a source: it writes the shipped
 * contracts (those in {@link SHIPPED}) to contracts-abi/<file>.json and every other contract to
 * contracts-abi/test/<Name>.json ({ source, abi, bytecode, deployedBytecode }). A test compiles again
 * and compares, so the shipped bytecode always is the source's.
 */
import { createRequire } from "node:module";
import { readFileSync, writeFileSync, mkdirSync, readdirSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** solc-js, loaded only when compiling (it is large). */
function loadSolc(): { compile(input: string): string; version(): string } {
  return createRequire(import.meta.url)("solc") as { compile(input: string): string; version(): string };
}

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "contracts-abi");
const sourcesDir = join(root, "sources");
const outDir = join(root, "test");

/** Contracts the product deploys, by name → their artifact's path under contracts-abi/. */
export const SHIPPED: Record<string, string> = { DepositReceiver: "deposit-receiver.json" };

/** One compiled contract as written to contracts-abi. */
export interface ContractArtifact {
  source: string;
  abi: unknown;
  bytecode: string;
  deployedBytecode: string;
}

/** Compiles every source; returns each contract's artifact and the path (under contracts-abi/) it belongs at. */
export function compileContracts(): { name: string; path: string; artifact: ContractArtifact }[] {
  const solc = loadSolc();
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
  const compiled: { name: string; path: string; artifact: ContractArtifact }[] = [];
  for (const [file, contracts] of Object.entries(output.contracts)) {
    for (const [name, c] of Object.entries(contracts)) {
      if (c.evm.bytecode.object === "") continue; // an interface: nothing to deploy
      compiled.push({
        name,
        path: SHIPPED[name] ?? `test/${name}.json`,
        artifact: {
          source: `contracts-abi/sources/${file}, compiled with solc-js ${solc.version()} (evm paris, optimizer 200 runs)`,
          abi: c.abi,
          bytecode: `0x${c.evm.bytecode.object}`,
          deployedBytecode: `0x${c.evm.deployedBytecode.object}`,
        },
      });
    }
  }
  return compiled;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  mkdirSync(outDir, { recursive: true });
  for (const { path, artifact } of compileContracts()) {
    writeFileSync(join(root, path), `${JSON.stringify(artifact, null, 2)}\n`);
    console.log(`wrote contracts-abi/${path}`);
  }
}
