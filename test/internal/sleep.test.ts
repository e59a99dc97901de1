import { getEventListeners } from "node:events";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { sleep } from "../../src/core/internal/sleep.js";

// On fake timers: what a sleep waits for is the clock, so these say exactly when it ends, however
// loaded the machine.
beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** Whether `promise` has settled once every pending microtask has run. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true),
  );
  await vi.advanceTimersByTimeAsync(0);
  return done;
}

describe("sleep", () => {
  it("resolves when the given time has passed, not before", async () => {
    const slept = sleep(40);
    await vi.advanceTimersByTimeAsync(39);
    expect(await settled(slept)).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await settled(slept)).toBe(true);
  });

  it("resolves at once for zero or negative times, with no timer", async () => {
    expect(await settled(sleep(0))).toBe(true);
    expect(await settled(sleep(-5))).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("rejects with the abort reason when aborted mid-sleep, and clears its timer", async () => {
    const controller = new AbortController();
    const reason = new Error("caller gave up");
    const slept = sleep(10_000, controller.signal);
    await vi.advanceTimersByTimeAsync(20);
    controller.abort(reason);
    await expect(slept).rejects.toBe(reason);
    expect(vi.getTimerCount()).toBe(0);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });

  it("rejects at once when the signal is already aborted", async () => {
    const reason = new Error("already");
    const slept = sleep(10_000, AbortSignal.abort(reason));
    await expect(slept).rejects.toBe(reason);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("leaves no listener on the signal after resolving, however many sleeps share it", async () => {
    const controller = new AbortController();
    const all = Promise.all(Array.from({ length: 10 }, () => sleep(5, controller.signal)));
    await vi.advanceTimersByTimeAsync(5);
    await all;
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });

  it("holds a listener only while sleeping", async () => {
    const controller = new AbortController();
    const slept = sleep(30, controller.signal);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(30);
    await slept;
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });
});
