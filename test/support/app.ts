import type { FastifyInstance } from "fastify";
import { buildApp } from "../../src/app.js";
import { loadConfig } from "../../src/config/load.js";
import type { Config } from "../../src/config/schema.js";
import type { Database } from "../../src/db/client.js";
import { buildServices, type ServiceOptions } from "../../src/wiring/services.js";
import { createTestDatabase, type DbKind, type TestDatabase } from "./db.js";

export const TEST_ADMIN_TOKEN = "test-admin-token-0123456789";

/** A valid Config for tests: silent logs, the admin API on, and any overrides on top. */
export function testConfig(overrides: Partial<Config> = {}): Config {
  return { ...loadConfig({ LOG_LEVEL: "silent", FAREBOX_ADMIN_TOKEN: TEST_ADMIN_TOKEN }), ...overrides };
}

/** What a test may hand in: services instead of those built from the config, and HTTP settings. */
export type TestAppOptions = ServiceOptions & { streamKeepAliveMs?: number; dashboardRoot?: string };

/** The real app over `database`, its services wired as main.ts wires them (rollups written after 5 ms). */
export async function buildTestApp(config: Config, database: Database, { streamKeepAliveMs, dashboardRoot, ...options }: TestAppOptions = {}): Promise<FastifyInstance> {
  const services = await buildServices(config, database, { rollupFlushMs: 5, ...options });
  return buildApp({ services, ...(streamKeepAliveMs !== undefined ? { streamKeepAliveMs } : {}), ...(dashboardRoot !== undefined ? { dashboardRoot } : {}) });
}

export interface TestApp {
  app: FastifyInstance;
  database: TestDatabase;
  /** Base URL of the listening server, e.g. http://127.0.0.1:41234. */
  url: string;
  close(): Promise<void>;
}

/** A migrated test database and the real app listening on a free loopback port. */
export async function startTestApp(
  kind: DbKind,
  options: { config?: Partial<Config>; deps?: TestAppOptions } = {},
): Promise<TestApp> {
  const database = await createTestDatabase(kind);
  const app = await buildTestApp(testConfig(options.config), database, options.deps);
  const url = await app.listen({ port: 0, host: "127.0.0.1" });
  return {
    app,
    database,
    url,
    async close() {
      await app.close();
      await database.close();
    },
  };
}

/** Calls the admin API to open an account; returns its id and management key. */
export async function createAccountViaAdmin(url: string): Promise<{ accountId: string; managementKey: string }> {
  const response = await fetch(`${url}/api/v1/admin/accounts`, {
    method: "POST",
    headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, "content-type": "application/json" },
    body: "{}",
  });
  if (response.status !== 201) throw new Error(`admin account creation failed: ${response.status} ${await response.text()}`);
  const body = (await response.json()) as { account_id: string; key: string };
  return { accountId: body.account_id, managementKey: body.key };
}
