import type { FastifyInstance } from "fastify";

/** One route the app registered: its method and its path pattern (`/api/v1/keys/:hash`). */
export interface RegisteredRoute {
  method: string;
  path: string;
}

/**
 * Every route `app` registered (HEAD and OPTIONS excluded), read from fastify's own route tree
 * (`printRoutes({ commonPrefix: false })`), so a new route is picked up without a list to keep.
 * Each tree line reads `├── <segment> (GET, POST)`; a child's segment continues its parent's path.
 */
export function registeredRoutes(app: FastifyInstance): RegisteredRoute[] {
  const parents: string[] = [];
  const routes: RegisteredRoute[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split("\n")) {
    const match = /^([│ ]*)[├└]── (\S+)(?: \(([^)]*)\))?$/u.exec(line);
    if (!match) continue;
    const depth = match[1]!.length / 4;
    const path = (parents[depth - 1] ?? "") + match[2]!;
    parents[depth] = path;
    parents.length = depth + 1;
    for (const method of match[3]?.split(", ") ?? []) {
      if (method !== "HEAD" && method !== "OPTIONS") routes.push({ method, path });
    }
  }
  return routes;
}
