/**
 * farebox's own OpenAPI document (/api/v1/openapi.json): valid OpenAPI, generated from every
 * route the app registered (a route added without a schema is named here), with security
 * schemes and the shared error envelope; /docs serves its page and assets with no network.
 */
import { tmpdir } from "node:os";
import { join } from "node:path";
import SwaggerParser from "@apidevtools/swagger-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAccountViaAdmin, startTestApp, TEST_ADMIN_TOKEN, type TestApp } from "../support/app.js";
import { OpenApiValidators, type OpenApiDocument } from "../support/openapi-validators.js";
import { registeredRoutes } from "../support/routes.js";

type Operation = { security?: unknown[]; responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>; requestBody?: unknown };
type Document = { openapi: string; paths: Record<string, Record<string, Operation>>; components: { securitySchemes: Record<string, unknown>; schemas: Record<string, unknown> } };

let t: TestApp;
let doc: Document;

beforeAll(async () => {
  // the dashboard's files (a browser client, not the API) are left out: no built dashboard here
  t = await startTestApp("pglite", { deps: { dashboardRoot: join(tmpdir(), "farebox-no-dashboard") } });
  const response = await fetch(`${t.url}/api/v1/openapi.json`);
  expect(response.status).toBe(200);
  doc = (await response.json()) as Document;
});
afterAll(async () => t.close());

const call = async (method: string, url: string, key: string | null, body?: unknown) => {
  const response = await fetch(`${t.url}${url}`, {
    method,
    headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { method: method.toLowerCase(), path: url.split("?")[0]!, status: response.status, body: (await response.json()) as unknown };
};

/** The document's path for a fastify route: /v1 aliases fold into /api/v1, `:name` becomes `{name}`. */
const documentPath = (path: string) => path.replace(/^\/v1\//u, "/api/v1/").replace(/:(\w+)/gu, "{$1}");
/** Routes of the docs page itself, not of the API. */
const isDocsRoute = (path: string) => path === "/docs" || path.startsWith("/docs/");

describe("GET /api/v1/openapi.json", () => {
  it("is a valid OpenAPI 3.1 document", async () => {
    expect(doc.openapi).toBe("3.1.0");
    await expect(SwaggerParser.validate(structuredClone(doc) as never)).resolves.toBeTruthy();
  });

  it("lists every route the app registered, each with a declared response schema", () => {
    const routes = registeredRoutes(t.app).filter((route) => !isDocsRoute(route.path));
    expect(routes.length).toBeGreaterThan(40);
    const missing = routes
      .map((route) => ({ route: `${route.method} ${route.path}`, operation: doc.paths[documentPath(route.path)]?.[route.method.toLowerCase()] }))
      .filter(({ operation }) => {
        const success = Object.entries(operation?.responses ?? {}).find(([status]) => status.startsWith("2"));
        return !success || Object.values(success[1].content ?? {}).every((media) => media.schema === undefined);
      })
      .map(({ route }) => route);
    expect(missing, "routes without a schema: declare `schema` on these (src/http/openapi/route-schemas.ts)").toEqual([]);
  });

  it("lists the API once, under /api/v1, and says the /v1 aliases answer too", () => {
    const paths = Object.keys(doc.paths);
    expect(paths.filter((path) => path.startsWith("/v1/"))).toEqual([]);
    expect(paths).toContain("/api/v1/chat/completions");
    expect((doc as unknown as { info: { description: string } }).info.description).toContain("/v1");
  });

  it("lists farebox's own routes: wallet sign-in, deposits, intents, admin", () => {
    for (const path of ["/api/v1/auth/challenge", "/api/v1/auth/verify", "/api/v1/credits/intents", "/api/v1/credits/deposits", "/api/v1/admin/accounts"]) {
      expect(Object.keys(doc.paths)).toContain(path);
    }
  });

  it("names the key each route takes and answers errors in one shared envelope", () => {
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(["adminToken", "inferenceKey", "inferenceKeyHeader", "managementKey", "x402Payment"]);
    expect(doc.paths["/api/v1/chat/completions"]!.post!.security).toEqual([{ inferenceKey: [] }, { x402Payment: [] }]);
    expect(doc.paths["/api/v1/messages"]!.post!.security).toEqual([{ inferenceKey: [] }, { inferenceKeyHeader: [] }, { x402Payment: [] }]);
    expect(doc.paths["/api/v1/keys"]!.get!.security).toEqual([{ managementKey: [] }]);
    expect(doc.paths["/api/v1/admin/accounts"]!.post!.security).toEqual([{ adminToken: [] }]);
    expect(doc.components.schemas).toHaveProperty("ErrorResponse");
    expect(doc.paths["/api/v1/keys"]!.get!.responses!["401"]!.content!["application/json"]!.schema).toEqual({ $ref: "#/components/schemas/ErrorResponse" });
  });

  it("describes the chat completion request body", () => {
    const body = doc.paths["/api/v1/chat/completions"]!.post!.requestBody as { content: Record<string, { schema: { properties: Record<string, unknown> } }> };
    expect(Object.keys(body.content["application/json"]!.schema.properties)).toEqual(expect.arrayContaining(["model", "messages", "stream", "provider"]));
  });
});

describe("real responses against the document", () => {
  it("match the schema the document gives their route and status, which rejects a body that strays from it", async () => {
    const own = new OpenApiValidators(doc as unknown as OpenApiDocument, "farebox-test", (url) => url);
    const { managementKey } = await createAccountViaAdmin(t.url);
    const created = await call("POST", "/api/v1/keys", managementKey, { name: "sample" });
    const calls = [
      created,
      await call("GET", "/api/v1/keys", managementKey),
      await call("GET", "/api/v1/key", (created.body as { key: string }).key),
      await call("GET", "/api/v1/credits", managementKey),
      await call("GET", "/api/v1/credits/balance", managementKey),
      await call("GET", "/api/v1/models?all=true", null),
      await call("GET", "/api/v1/providers", null),
      await call("GET", "/api/v1/credits/deposit-addresses", null),
      await call("GET", "/api/v1/admin/accounts", TEST_ADMIN_TOKEN),
      await call("POST", "/api/v1/auth/challenge", null, { chain: "solana", address: "11111111111111111111111111111111" }),
      await call("GET", "/api/v1/keys", null),
      // the key check comes before the body's: no key learns 401, not the body's rules
      await call("POST", "/api/v1/keys", null, { name: "" }),
      await call("POST", "/api/v1/keys", managementKey, { name: "" }),
      await call("GET", "/api/v1/generation?id=gen-none", managementKey),
    ];
    expect(calls.map((c) => c.status)).toEqual([201, 200, 200, 200, 200, 200, 200, 200, 200, 200, 401, 401, 400, 404]);
    for (const c of calls) {
      const validate = own.responseValidator(c.path, c.method, c.status, { useDefault: false });
      expect(validate, `${c.method} ${c.path} ${c.status} has a schema`).toBeTruthy();
      expect([c.method, c.path, c.status, validate!(c.body) ? [] : validate!.errors]).toEqual([c.method, c.path, c.status, []]);
    }
    const key = (calls[1]!.body as { data: Record<string, unknown>[] }).data[0]!;
    const validate = own.responseValidator("/api/v1/keys", "get", 200)!;
    expect(validate({ data: [{ ...key, usage: "1.5" }] })).toBe(false);
    expect(validate({ data: [{ ...key, surprise: true }] })).toBe(false);
  });
});

describe("GET /docs", () => {
  it("serves the interactive docs and their assets from farebox itself", async () => {
    const page = await fetch(`${t.url}/docs/`, { redirect: "follow" });
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    const html = await page.text();
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/gu)].map((match) => match[1]!).filter((ref) => !ref.startsWith("data:"));
    expect(assets.length).toBeGreaterThan(0);
    // every asset is farebox's own (relative): the page works with no network beyond farebox
    for (const asset of assets) {
      expect(asset).not.toMatch(/^(https?:)?\/\//u);
      const response = await fetch(new URL(asset, `${t.url}/docs/`));
      await response.arrayBuffer();
      expect([asset, response.status]).toEqual([asset, 200]);
    }
    const initializer = await fetch(`${t.url}/docs/static/swagger-initializer.js`);
    expect(await initializer.text()).toContain("/api/v1/openapi.json");
  });
});
