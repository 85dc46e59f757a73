import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance } from "fastify";

/** Where `npm start` (src/build.ts, through src/web/build.ts) writes the dashboard's built files. */
export const DEFAULT_DASHBOARD_ROOT = fileURLToPath(new URL("../../../dist/web", import.meta.url));

/**
 * Serves the built dashboard at `/` (index.html and its assets, with the .br/.gz files the build
 * wrote when the browser accepts them). Only the files that exist get a route (no wildcard), so
 * /api/*, /v1/*, /metrics, /health and /ready are never shadowed and an unknown path still gets the
 * API's 404 envelope. Without a build (unit tests, or `node src/main.ts` run directly) nothing is
 * served and false is returned.
 */
export async function registerDashboard(app: FastifyInstance, root: string = DEFAULT_DASHBOARD_ROOT): Promise<boolean> {
  if (!existsSync(join(root, "index.html"))) return false;
  await app.register(fastifyStatic, {
    root,
    prefix: "/",
    wildcard: false,
    preCompressed: true,
    index: ["index.html"],
    // hashed asset names never change content; index.html is revalidated so a new build shows at once
    setHeaders: (reply, path) => {
      reply.header("cache-control", path.endsWith(".html") ? "no-cache" : "public, max-age=31536000, immutable");
    },
  });
  return true;
}
