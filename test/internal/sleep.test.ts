import { getEventListeners } from "node:events";
import { describe, expect, it } from "vitest";
import { sleep } from "../../src/core/internal/sleep.js";

describe("sleep", () => {
  it("resolves after about the given time", async () => {
    const start = performance.now();
    await sleep(40);
    expect(performance.now() - start).toBeGreaterThanOrEqual(38);
  });

  it("resolves at once for zero or negative times", async () => {
    const start = performance.now();
    await sleep(0);
    await sleep(-5);
    expect(performance.now() - start).toBeLessThan(20);
  });

  it("rejects promptly with the abort reason when aborted mid-sleep", async () => {
    const controller = new AbortController();
    const reason = new Error("caller gave up");
    const start = performance.now();
    const slept = sleep(10_000, controller.signal);
    setTimeout(() => controller.abort(reason), 20);
    await expect(slept).rejects.toBe(reason);
    expect(performance.now() - start).toBeLessThan(1_000);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });

  it("rejects at once when the signal is already aborted", async () => {
    const reason = new Error("already");
    const start = performance.now();
    await expect(sleep(10_000, AbortSignal.abort(reason))).rejects.toBe(reason);
    expect(performance.now() - start).toBeLessThan(100);
  });

  it("leaves no listener on the signal after resolving, however many sleeps share it", async () => {
    const controller = new AbortController();
    await Promise.all(Array.from({ length: 10 }, () => sleep(5, controller.signal)));
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });

  it("holds a listener only while sleeping", async () => {
    const controller = new AbortController();
    const slept = sleep(30, controller.signal);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(1);
    await slept;
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });
});
