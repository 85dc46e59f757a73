import { readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { PGlite } from "@electric-sql/pglite";
import { drizzle } from "drizzle-orm/pglite";
import { migrate } from "drizzle-orm/pglite/migrator";
import { parse } from "yaml";
import { OPENROUTER_SPEC_YAML } from "./openrouter-spec-path.js";

declare module "vitest" {
  export interface ProvidedContext {
    pgliteTemplatePath: string;
    openRouterSpecJsonPath: string;
  }
}

/**
 * Starting PGlite from nothing runs initdb (seconds); loading a data directory dump takes a
 * fraction of that. Once per run: migrate a fresh PGlite and dump it for every test to load.
 */
export default async function setup(project: TestProject): Promise<void> {
  const client = new PGlite();
  await migrate(drizzle(client), { migrationsFolder: join(import.meta.dirname, "../../drizzle") });
  const dump = await client.dumpDataDir("none");
  await client.close();
  const path = join(tmpdir(), `farebox-pglite-template-${process.pid}.tar`);
  writeFileSync(path, Buffer.from(await dump.arrayBuffer()));
  project.provide("pgliteTemplatePath", path);
  // OpenRouter's spec is 1.3 MB of YAML (seconds to parse): parsed once here, JSON for every test file
  const specPath = join(tmpdir(), `farebox-openrouter-spec-${process.pid}.json`);
  writeFileSync(specPath, JSON.stringify(parse(readFileSync(OPENROUTER_SPEC_YAML, "utf8"))));
  project.provide("openRouterSpecJsonPath", specPath);
}
