/**
 * How a route's zod schemas act on requests (src/http/openapi/route-schemas.ts): checked after
 * the route's own pre-handlers, typed and parsed into the request, a 400 naming the field, a
 * part the use case checks left alone, and a JSON Schema refused at start.
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import Fastify from "fastify";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { unauthorized } from "../../src/domain/errors.js";
import { registerErrorHandling } from "../../src/http/errors.js";
import { checkedByUseCase, registerRouteSchemas, zodRoutes, zodSchemaController } from "../../src/http/openapi/route-schemas.js";

async function appWith(register: (routes: ReturnType<typeof zodRoutes>) => void) {
  const app = Fastify({ schemaController: zodSchemaController });
  registerErrorHandling(app);
  registerRouteSchemas(app);
  register(zodRoutes(app));
  await app.ready();
  return app;
}

const body = z.object({ name: z.string().min(1), count: z.coerce.number().int().default(1) }).strict();
const keyCheck = async (request: { headers: Record<string, unknown> }) => {
  if (request.headers.authorization !== "Bearer ok") throw unauthorized("Missing Authentication header");
};

describe("a route's declared request schemas", () => {
  it("are checked after the route's key check, parsed into the request, and a failure names the field", async () => {
    const app = await appWith((routes) =>
      routes.post("/things", { preHandler: keyCheck, schema: { body, response: { 200: z.object({ name: z.string(), count: z.int() }) } } }, async (request) => request.body),
    );
    const send = (payload: unknown, authorization?: string) =>
      app.inject({ method: "POST", url: "/things", headers: authorization ? { authorization } : {}, payload: payload as object });
    expect((await send({ name: "" })).statusCode).toBe(401);
    const bad = await send({ name: "", extra: 1 }, "Bearer ok");
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/^Invalid body: .*name/u);
    expect(bad.json().error.metadata.param).toBe("name");
    const good = await send({ name: "a", count: "3" }, "Bearer ok");
    expect([good.statusCode, good.json()]).toEqual([200, { name: "a", count: 3 }]);
    await app.close();
  });

  it("leave a part the use case checks itself to the handler, untouched", async () => {
    const app = await appWith((routes) => routes.post("/raw", { schema: { body: checkedByUseCase(body) } }, async (request) => ({ seen: request.body })));
    const response = await app.inject({ method: "POST", url: "/raw", payload: { name: "", surprise: true } });
    expect([response.statusCode, response.json()]).toEqual([200, { seen: { name: "", surprise: true } }]);
    await app.close();
  });

  it("never shape an answer: it is JSON.stringify of what the handler sent, whatever its status and content type", async () => {
    const answer = { name: "a", count: 1, undeclared: { nested: [1, "two", null] }, text: "é\u2028\"" };
    const app = await appWith((routes) => {
      const declared = z.object({ name: z.string() }).strict();
      const schema = {
        response: {
          200: { description: "either", content: { "application/json": { schema: declared }, "text/event-stream": { schema: z.string() } } },
          404: declared,
          "5xx": declared,
        },
      };
      routes.get("/answer/:status", { schema }, async (request, reply) => {
        const status = Number((request.params as { status: string }).status);
        return reply.status(status).header("content-type", status === 200 ? "application/json; charset=utf-8" : "application/json").send(answer);
      });
    });
    for (const status of [200, 404, 503]) {
      const response = await app.inject({ method: "GET", url: `/answer/${status}` });
      expect([response.statusCode, response.body]).toEqual([status, JSON.stringify(answer)]);
    }
    await app.close();
  });

  it("must be zod: a JSON Schema fails when the app starts, naming the route", async () => {
    await expect(appWith((routes) => routes.post("/json", { schema: { body: { type: "object" } as never } }, async () => ({})))).rejects.toThrow(/POST \/json body: declare the schema in zod/u);
  });

  it("need none of fastify's JSON Schema compilers: an app built for them loads neither ajv nor fast-json-stringify's compiler", { timeout: 60_000 }, () => {
    const script = `
const { createRequire } = await import("node:module");
const { default: Fastify } = await import("fastify");
const { z } = await import("zod");
const { registerRouteSchemas, zodRoutes, zodSchemaController } = await import(${JSON.stringify(new URL("../../src/http/openapi/route-schemas.ts", import.meta.url).href)});
const app = Fastify({ schemaController: zodSchemaController });
registerRouteSchemas(app);
zodRoutes(app).post("/things", { schema: { body: z.object({ name: z.string() }), response: { 200: z.object({ name: z.string() }) } } }, async (request) => request.body);
await app.ready();
const answer = await app.inject({ method: "POST", url: "/things", payload: { name: "a" } });
const loaded = Object.keys(createRequire(import.meta.url).cache).filter((path) => /node_modules\\/(ajv\\/|@fastify\\/(ajv|fast-json-stringify)-compiler\\/|fast-json-stringify\\/index\\.js)/.test(path));
process.stdout.write(JSON.stringify({ status: answer.statusCode, loaded }));`;
    const output = execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: fileURLToPath(new URL("../..", import.meta.url)) }).toString();
    expect(JSON.parse(output)).toEqual({ status: 200, loaded: [] });
  });
});
