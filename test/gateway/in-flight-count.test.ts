import { describe, expect, it } from "vitest";
import { InFlightCount } from "../../src/gateway/in-flight-count.js";

function deferred() {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe("InFlightCount", () => {
  it("is done at once when nothing was counted", async () => {
    await new InFlightCount().whenNone();
  });

  it("waits for every counted piece of work, rejected ones included, and reports each rejection", async () => {
    const errors: unknown[] = [];
    const count = new InFlightCount((error) => errors.push(error));
    const first = deferred();
    const second = deferred();
    count.track(first.promise);
    count.track(second.promise);
    let done = false;
    const waited = count.whenNone().then(() => (done = true));
    first.resolve();
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(done).toBe(false);
    expect(count.size).toBe(1);
    second.reject(new Error("write failed"));
    await waited;
    expect(count.size).toBe(0);
    expect(errors).toEqual([new Error("write failed")]);
  });

  it("waits again for work counted while it was waiting", async () => {
    const count = new InFlightCount();
    const first = deferred();
    const later = deferred();
    count.track(first.promise);
    let done = false;
    const waited = count.whenNone().then(() => (done = true));
    count.track(later.promise);
    first.resolve();
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(done).toBe(false);
    later.resolve();
    await waited;
    expect(done).toBe(true);
  });
});
