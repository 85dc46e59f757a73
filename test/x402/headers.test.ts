import { SIGN_IN_WITH_X as LIBRARY_SIGN_IN_WITH_X } from "@x402/extensions/sign-in-with-x";
import { describe, expect, it } from "vitest";
import { SIGN_IN_WITH_X } from "../../src/x402/headers.js";

describe("x402 header names", () => {
  it("names the sign-in-with-x header as @x402/extensions does (copied so the request path need not load it)", () => {
    expect(SIGN_IN_WITH_X).toBe(LIBRARY_SIGN_IN_WITH_X);
  });
});
