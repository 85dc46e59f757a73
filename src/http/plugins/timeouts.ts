import type { ServerConfig } from "../../config/server-schema.js";

/** The Fastify constructor options that bound how long a client may take (see server-schema.ts). */
export interface TimeoutOptions {
  requestTimeout: number;
  keepAliveTimeout: number;
  http: { headersTimeout: number; requestTimeout: number; connectionsCheckingInterval: number };
}

/**
 * Header, request and keep-alive timeouts for the HTTP server, so a client trickling its headers or
 * body, or holding an idle socket, is cut instead of holding a connection forever. Node checks
 * those deadlines every `connectionsCheckingInterval` (30 s by default, which would let a short
 * timeout overrun by that much): it is set to a quarter of the shortest deadline, at most 1 s.
 */
export function serverTimeouts(server: ServerConfig): TimeoutOptions {
  const shortest = Math.min(server.headers_timeout_ms, server.request_timeout_ms);
  const connectionsCheckingInterval = Math.max(25, Math.min(1_000, Math.floor(shortest / 4)));
  return {
    requestTimeout: server.request_timeout_ms,
    keepAliveTimeout: server.keep_alive_timeout_ms,
    http: { headersTimeout: server.headers_timeout_ms, requestTimeout: server.request_timeout_ms, connectionsCheckingInterval },
  };
}
