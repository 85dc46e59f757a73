import { describe, expect, it } from "vitest";
import { parseRetryAfterMs } from "../../src/providers/shared/upstream-http.js";
import { isRetryable, UpstreamError } from "../../src/providers/spec.js";
import { AppError, DEFAULT_RETRY_AFTER_S } from "../../src/domain/errors.js";

describe("UpstreamError", () => {
  it.each([
    [429, true],
    [408, true],
    [500, true],
    [503, true],
    [529, true],
    [400, false],
    [401, false],
    [403, false],
    [404, false],
    [422, false],
  ])("http %i retryable=%s", (status, retryable) => {
    expect(isRetryable("http", status)).toBe(retryable);
  });

  it("treats every transport failure as retryable except an abort", () => {
    for (const kind of ["connect", "timeout_connect", "timeout_first_byte", "stall", "reset", "invalid_response"] as const) {
      expect(new UpstreamError("x", { kind }).retryable).toBe(true);
    }
    expect(new UpstreamError("x", { kind: "aborted" }).retryable).toBe(false);
  });

  it("is an AppError whose envelope names the upstream failure without leaking more than 2 KiB", () => {
    const error = new UpstreamError("Provider returned error", { kind: "http", status: 429, retryAfterMs: 1500, rawBody: "x".repeat(5000), upstreamCode: "rate_limit_exceeded" });
    expect(error).toBeInstanceOf(AppError);
    expect(error.rawBody).toHaveLength(2048);
    expect(error.headers).toEqual({ "Retry-After": "2" });
    expect(new UpstreamError("x", { kind: "http", status: 400, retryAfterMs: 1000 }).headers).toEqual({});
    expect(error.toEnvelope()).toEqual({
      error: {
        code: 429,
        message: "Provider returned error",
        metadata: {
          error_type: "rate_limit_exceeded",
          upstream_kind: "http",
          upstream_status: 429,
          provider_code: "rate_limit_exceeded",
          raw: "x".repeat(2048),
          retry_after_seconds: 2,
        },
      },
    });
  });

  it.each([
    ["timeout_first_byte", undefined, 504],
    ["stall", undefined, 504],
    ["connect", undefined, 502],
    ["invalid_response", undefined, 502],
    ["http", 500, 502],
    ["http", 503, 503],
    ["http", 401, 502],
    ["http", 400, 400],
    ["http", 404, 404],
  ] as const)("%s %s reaches the client as %i", (kind, status, httpStatus) => {
    expect(new UpstreamError("x", { kind, ...(status === undefined ? {} : { status }) }).httpStatus).toBe(httpStatus);
  });
});

describe("Retry-After on a 502 or 503 that can pass", () => {
  it("names a wait on every upstream 502/503 that can pass: the upstream's own, else the default", () => {
    const wait = (error: UpstreamError) => [error.httpStatus, error.headers["Retry-After"]];
    expect(wait(new UpstreamError("x", { kind: "connect" }))).toEqual([502, String(DEFAULT_RETRY_AFTER_S)]);
    expect(wait(new UpstreamError("x", { kind: "reset" }))).toEqual([502, String(DEFAULT_RETRY_AFTER_S)]);
    expect(wait(new UpstreamError("x", { kind: "invalid_response" }))).toEqual([502, String(DEFAULT_RETRY_AFTER_S)]);
    expect(wait(new UpstreamError("x", { kind: "http", status: 500 }))).toEqual([502, String(DEFAULT_RETRY_AFTER_S)]);
    expect(wait(new UpstreamError("x", { kind: "http", status: 500, retryAfterMs: 12_000 }))).toEqual([502, "12"]);
    expect(wait(new UpstreamError("x", { kind: "http", status: 503 }))).toEqual([503, String(DEFAULT_RETRY_AFTER_S)]);
    expect(wait(new UpstreamError("x", { kind: "http", status: 529, retryAfterMs: 2000 }))).toEqual([503, "2"]);
  });

  it("names none when the cause does not pass by itself", () => {
    // the upstream refused the operator's key: retrying changes nothing until the operator acts
    expect(new UpstreamError("x", { kind: "http", status: 401 }).headers).toEqual({});
    expect(new AppError("x", { httpStatus: 502, errorType: "provider_unavailable" }).headers).toEqual({});
    expect(new AppError("x", { httpStatus: 500, errorType: "server", retryable: true }).headers).toEqual({});
  });

  it("keeps a wait the error names itself", () => {
    expect(new AppError("x", { httpStatus: 503, errorType: "provider_overloaded", retryable: true, headers: { "retry-after": "60" } }).headers).toEqual({ "retry-after": "60" });
  });
});

describe("retry-after parsing", () => {
  it("reads seconds, milliseconds and HTTP dates", () => {
    expect(parseRetryAfterMs({ "retry-after": "7" })).toBe(7000);
    expect(parseRetryAfterMs({ "retry-after": "0.5" })).toBe(500);
    expect(parseRetryAfterMs({ "retry-after-ms": "250", "retry-after": "9" })).toBe(250);
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(parseRetryAfterMs({ "retry-after": "Thu, 01 Jan 2026 00:00:30 GMT" }, now)).toBe(30_000);
    expect(parseRetryAfterMs({ "retry-after": "soon" })).toBeUndefined();
    expect(parseRetryAfterMs({})).toBeUndefined();
  });
});
