/**
 * The one conformance suite every provider adapter passes, each against its fake upstream
 * speaking the real wire format: translation both ways, streaming, usage, every error kind,
 * aborts, timeouts. Each protocol's test file calls describeConformance.
 */
import { afterAll, beforeAll, describe } from "vitest";
import { createUpstreamHttp, type UpstreamHttp } from "../../src/providers/shared/upstream-http.js";
import type { ConformanceEnv } from "./conformance-env.js";
import { faultCases } from "./conformance-faults.js";
import { requestFieldCases } from "./conformance-requests.js";
import { translationCases } from "./conformance-translation.js";
import type { ProtocolUnderTest } from "./protocols.js";

/** Declares the whole conformance suite for one protocol. */
export function describeConformance(protocol: ProtocolUnderTest): void {
  describe(`${protocol.name} adapter conformance`, () => {
    let http: UpstreamHttp;
    const env = {
      protocol,
      fast: { connectMs: 200, firstByteMs: 300, idleMs: 300 },
      context: (overrides = {}) => ({
        apiKey: "sk-test-123",
        baseUrl: protocol.baseUrl(env.fake),
        timeouts: { connectMs: 2000, firstByteMs: 3000, idleMs: 3000 },
        ...overrides,
      }),
      ask: (text, extra = {}) => ({ model: "test-model-1", messages: [{ role: "user", content: text }], ...extra }),
    } as ConformanceEnv;

    beforeAll(async () => {
      env.fake = await protocol.start();
      http = createUpstreamHttp();
      env.adapter = protocol.adapter(http);
    });
    afterAll(async () => {
      await http.close();
      await env.fake.close();
    });

    translationCases(env);
    requestFieldCases(env);
    faultCases(env);
  });
}
