import { describe, expect, it } from "vitest";
import { counted } from "../../src/web/app/format.js";

describe("the dashboard's counts", () => {
  it("names one thing in the singular and any other number in the plural", () => {
    expect(counted(1, "deposit")).toBe("1 deposit");
    expect(counted(0, "deposit")).toBe("0 deposits");
    expect(counted(1234, "token")).toBe("1,234 tokens");
  });
});
