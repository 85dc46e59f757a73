// The dependency direction of DESIGN.md §1 ("an arrow means may import"), checked by
// `npm run check` (depcruise) and by test/lint/dependency-direction.test.ts.
//
// Each folder of src/ lists what it may import besides itself; any other import of src/ code
// from it fails. Type-only imports count too. main.ts, app.ts, wiring/ and cli/ wire everything and may
// import anything but web/. Folders that do not exist yet (formats/, x402/, web/) have their rules
// already, so they hold from the first file. npm packages and node built-ins are not restricted here.

/** Folder (or file) under src/ → what it may import under src/, besides itself. */
const mayImport = {
  domain: [],
  db: ["domain"],
  config: ["domain"],
  ledger: ["domain", "db"],
  keys: ["domain", "db"],
  byok: ["domain", "db"],
  catalog: ["domain"],
  providers: ["domain"],
  routing: ["domain", "catalog"],
  "chains/observation.ts": ["domain"],
  "chains/evm": ["domain", "chains/observation.ts"],
  "chains/solana": ["domain", "chains/observation.ts"],
  deposits: ["domain", "db", "ledger", "chains", "config"],
  auth: ["domain", "db", "ledger", "keys", "config"],
  analytics: ["domain", "db"],
  metrics: ["domain", "db"],
  gateway: ["domain", "db", "ledger", "keys", "byok", "catalog", "routing", "providers", "config"],
  formats: ["domain", "gateway/ports.ts"],
  x402: ["domain", "db", "deposits", "chains", "gateway/ports.ts", "config"],
  workers: ["domain", "db", "ledger", "deposits", "chains", "catalog", "metrics", "config"],
  http: ["domain", "db", "config", "ledger", "keys", "byok", "catalog", "routing", "gateway", "analytics", "metrics", "auth", "deposits", "x402", "formats"],
  web: [],
};

const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
/** A path pattern matching a folder's files (folder/…) or exactly one file. */
const under = (entry) => (entry.endsWith(".ts") ? `^src/${escapeRegExp(entry)}$` : `^src/${escapeRegExp(entry)}/`);

const directionRules = Object.entries(mayImport).map(([from, allowed]) => ({
  name: `${from.replace(/\.ts$/, "")}-imports`,
  comment: allowed.length === 0 ? `src/${from} imports nothing from src/ outside itself` : `src/${from} may import only ${allowed.join(", ")}`,
  severity: "error",
  from: { path: under(from) },
  to: { path: "^src/", pathNot: [under(from), ...allowed.map(under)] },
}));

module.exports = {
  forbidden: [
    ...directionRules,
    {
      name: "no-web-from-server",
      comment: "server code never imports the dashboard (web/ is a browser client of the public HTTP API); src/build.ts, which builds both, is no server code",
      severity: "error",
      from: { path: "^src/", pathNot: ["^src/web/", "^src/build\\.ts$"] },
      to: { path: "^src/web/" },
    },
    {
      name: "contracts-abi-only-in-chains",
      comment: "the JSON ABIs are read by chains/ only",
      severity: "error",
      from: { path: "^src/", pathNot: "^src/chains/" },
      to: { path: "^contracts-abi/" },
    },
    {
      name: "no-circular",
      comment: "no import cycle, inside a folder or across folders",
      severity: "error",
      from: { path: "^src/" },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(node_modules|test|bench|drizzle|data)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { extensions: [".ts", ".js", ".json"] },
  },
};
