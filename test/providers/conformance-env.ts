/**
 * What every conformance case needs: the protocol under test, its fake upstream and adapter
 * (set in beforeAll), request and context builders, and small assertion helpers.
 */
import { expect } from "vitest";
import { UpstreamError, type AdapterContext, type ChatRequest, type ProviderAdapter, type StreamChunk } from "../../src/providers/spec.js";
import type { FakeUpstream } from "../support/fake-upstreams/index.js";
import type { ProtocolUnderTest } from "./protocols.js";

/** Shared state of one protocol's suite; `fake` and `adapter` exist once beforeAll ran. */
export interface ConformanceEnv {
  protocol: ProtocolUnderTest;
  fake: FakeUpstream;
  adapter: ProviderAdapter;
  /** Short limits for timeout cases. */
  fast: AdapterContext["timeouts"];
  context(overrides?: Partial<AdapterContext>): AdapterContext;
  ask(text: string, extra?: Partial<ChatRequest>): ChatRequest;
}

/** Reads a whole stream. */
export async function collect(chunks: AsyncIterable<StreamChunk>): Promise<StreamChunk[]> {
  const out: StreamChunk[] = [];
  for await (const chunk of chunks) out.push(chunk);
  return out;
}

/** The UpstreamError a promise rejects with (fails the test if it resolves or throws anything else). */
export async function upstreamError(promise: Promise<unknown>): Promise<UpstreamError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(UpstreamError);
    return error as UpstreamError;
  }
  throw new Error("expected an UpstreamError, but the call succeeded");
}
