import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createProviderRegistry, PROVIDER_PROTOCOLS, type ProviderRegistry } from "../../src/providers/registry.js";
import type { AdapterContext } from "../../src/providers/spec.js";
import { collect, upstreamError } from "./conformance-env.js";

const API_KEY = "sk-operator-secret-0123456789abcdef";
const HEADER_SECRET = "org-secret-header-value-42";

/**
 * An upstream that puts the request headers it received into its error: as the message and, padded,
 * so that the 2 KiB raw-body cut falls inside the API key. Answers every protocol's error shape at once.
 */
function startEchoingUpstream(): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    request.resume();
    request.on("end", () => {
      const echoed = JSON.stringify(request.headers);
      const body = JSON.stringify({
        type: "error",
        error: { type: "authentication_error", code: 401, status: "UNAUTHENTICATED", message: `bad credentials, you sent ${echoed}` },
        padding: "x".repeat(1900),
        again: echoed,
      });
      response.writeHead(401, { "content-type": "application/json" }).end(body);
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })));
}

let upstream: { server: Server; url: string };
let registry: ProviderRegistry;
beforeAll(async () => {
  upstream = await startEchoingUpstream();
  registry = createProviderRegistry();
});
afterAll(async () => {
  await registry.close();
  await new Promise((resolve) => upstream.server.close(resolve));
});

const context = (): AdapterContext => ({
  apiKey: API_KEY,
  baseUrl: upstream.url,
  headers: { "x-org-token": HEADER_SECRET },
  timeouts: { connectMs: 2_000, firstByteMs: 5_000, idleMs: 5_000 },
});

describe.each(PROVIDER_PROTOCOLS)("%s: an upstream that echoes its request headers", (protocol) => {
  const request = { model: "m", messages: [{ role: "user" as const, content: "hi" }] };

  it.each(["complete", "stream"] as const)("never hands the configured secrets to the client (%s)", async (mode) => {
    const adapter = registry.get(protocol);
    const error = await upstreamError(
      mode === "complete" ? adapter.complete(request, context()) : adapter.stream(request, context()).then((stream) => collect(stream.chunks)),
    );
    const wire = JSON.stringify(error.toEnvelope());
    expect(wire).toContain("[REDACTED]");
    expect(wire).not.toContain(API_KEY);
    expect(wire).not.toContain(HEADER_SECRET);
    // Not even the start of the key survives where the raw body was cut.
    expect(wire).not.toContain(API_KEY.slice(0, 12));
    expect(error.httpStatus).toBe(502);
  });
});
