import { describe, expect, it } from "vitest";
import { z } from "zod";
import { AppError } from "../../src/domain/errors.js";
import { parseBody } from "../../src/domain/invalid-body.js";
import { parseChatInput } from "../../src/gateway/chat-input.js";

function refusal(run: () => unknown): AppError {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("not refused");
}

describe("the 400 for an invalid body", () => {
  const schema = z.object({ content: z.union([z.string(), z.array(z.object({ type: z.literal("text"), text: z.string() }))]) });

  it("names the field inside the union branch the value got furthest in, not the union", () => {
    const error = refusal(() => parseBody(schema, { content: [{ type: "text", text: "ok" }, { type: "text", text: 5 }] }));
    expect(error.httpStatus).toBe(400);
    expect(error.metadata.param).toBe("content.1.text");
    expect(error.message).toMatch(/^Invalid content\.1\.text: .*expected string/);
    expect(refusal(() => parseBody(schema, { content: 7 })).metadata.param).toBe("content");
  });

  it("refuses a body that is no JSON object", () => {
    for (const body of [null, [], "text", 3]) expect(refusal(() => parseBody(schema, body)).message).toBe("The request body must be a JSON object.");
  });

  it("is the chat route's rule too", () => {
    const error = refusal(() => parseChatInput({ model: "m", messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "" } }] }] }));
    expect(error.metadata.param).toBe("messages.0.content.0.image_url.url");
  });
});
