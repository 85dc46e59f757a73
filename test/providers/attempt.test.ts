import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { Attempt } from "../../src/providers/shared/attempt.js";

const attempts: Attempt[] = [];
function attempt(firstByteMs: number, idleMs: number): Attempt {
  const created = new Attempt({ apiKey: "", baseUrl: "http://upstream", timeouts: { connectMs: 1_000, firstByteMs, idleMs } });
  attempts.push(created);
  return created;
}

/** Waits until the attempt failed (or gives up after `ms`). */
async function failureWithin(subject: Attempt, ms: number): Promise<string | undefined> {
  for (let waited = 0; waited < ms && !subject.failed; waited += 10) await sleep(10);
  return subject.failed?.kind;
}

afterEach(() => {
  for (const each of attempts.splice(0)) each.dispose();
});

describe("Attempt clock", () => {
  it("counts the idle limit from the start of each wait, so a steady stream longer than the limit is no stall", async () => {
    const subject = attempt(1_000, 300);
    subject.markFirstChunk();
    for (let read = 0; read < 8; read++) {
      subject.arm();
      await sleep(50);
      subject.disarm();
    }
    expect(subject.failed).toBeUndefined();
    subject.arm();
    expect(await failureWithin(subject, 3_000)).toBe("stall");
  });

  it("does not count time between waits (a slow consumer) as a stall", async () => {
    const subject = attempt(1_000, 100);
    subject.markFirstChunk();
    subject.arm();
    subject.disarm();
    await sleep(400);
    expect(subject.failed).toBeUndefined();
  });

  it("keeps the first-byte deadline across waits", async () => {
    const subject = attempt(200, 10_000);
    subject.arm();
    await sleep(120);
    subject.disarm();
    subject.arm();
    expect(await failureWithin(subject, 3_000)).toBe("timeout_first_byte");
  });

  it("applies an idle limit shorter than the first-byte deadline as soon as the first chunk arrived", async () => {
    const subject = attempt(60_000, 100);
    subject.arm();
    subject.disarm();
    subject.markFirstChunk();
    subject.arm();
    expect(await failureWithin(subject, 3_000)).toBe("stall");
  });
});
