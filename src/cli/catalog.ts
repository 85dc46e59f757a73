import { catalogReport } from "../catalog/catalog-report.js";
import { ConfigError, loadConfig } from "../config/load.js";
import { catalogFromConfig } from "../wiring/chat-stack.js";
import { MODEL_LISTERS } from "../providers/registry.js";
import { createCatalogDiscovery } from "../workers/catalog-discovery.js";

/**
 * Operator command (`npm run catalog`): prints the effective catalog — the shipped models from
 * the price database, what `models: auto` providers list now (one discovery pass; `--offline`
 * skips it) and the config file's overrides — with each value's source and whether each provider
 * has a key. `--missing` lists only models with an endpoint lacking a price or a key.
 */
let config;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}
// `npm run catalog | head` closes the pipe early; that is not an error
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code !== "EPIPE") throw error;
});
const catalog = catalogFromConfig(config);
if (!process.argv.includes("--offline")) {
  const log = { info: () => undefined, warn: (_fields: object, message: string) => process.stderr.write(`${message}\n`) };
  await createCatalogDiscovery({ catalog, listers: MODEL_LISTERS, fetch: globalThis.fetch, signal: new AbortController().signal, log }).pass();
}
process.stdout.write(catalogReport(catalog, { missing: process.argv.includes("--missing") }));
