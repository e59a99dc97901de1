import { getEventListeners } from "node:events";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { MemoryQuotaLimiter } from "../src/core/memory-quota-limiter.js";
import { sentMarginMs } from "../src/core/internal/pacing.js";
import type { Permit, QuotaKind } from "../src/core/quota.js";

// Fake timers: the limiter's clock (Date.now) and its waits (setTimeout) move only when the test moves
// them, so every admission time below is exact. The window is 200 ms; a slot frees 5 ms (the limiter's
// margin for clock granularity) after it leaves the window.
const windowMs = 200;
const marginMs = 5;
const limiter = (addLimit = 5, createLimit = 1) =>
  new MemoryQuotaLimiter({ create: { limit: createLimit, windowMs }, add: { limit: addLimit, windowMs } });

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** Acquires `kind`, records when it was admitted, holds the permit `holdMs` and records the release. */
async function run(
  quota: MemoryQuotaLimiter,
  kind: QuotaKind,
  holdMs: number,
  admitted: number[],
  order: number[],
  id: number,
): Promise<void> {
  const permit = await quota.acquire(kind);
  admitted.push(Date.now());
  order.push(id);
  await new Promise((resolve) => setTimeout(resolve, holdMs));
  permit.release();
}

/** What `promise` has come to while the clock stands still: its value or its error, or "pending". */
async function outcome(promise: Promise<unknown>): Promise<unknown> {
  let result: unknown = "pending";
  promise.then(
    (value) => (result = value),
    (error: unknown) => (result = error),
  );
  await vi.advanceTimersByTimeAsync(0);
  return result;
}

describe("MemoryQuotaLimiter", () => {
  it("admits in arrival order and never more than `limit` slots within any window", async () => {
    const quota = limiter(5);
    const admitted: number[] = [];
    const order: number[] = [];
    const start = Date.now();
    const all = Promise.all(Array.from({ length: 12 }, (_, id) => run(quota, "add", 10, admitted, order, id)));
    await vi.runAllTimersAsync();
    await all;

    expect(order).toEqual([...Array(12).keys()]);
    // Five at once; each next five one window (and the margin) after the five before them were answered.
    const wave = 10 + windowMs + marginMs;
    expect(admitted.map((at) => at - start)).toEqual([0, 0, 0, 0, 0, wave, wave, wave, wave, wave, 2 * wave, 2 * wave]);
  });

  it("holds waiters while paused and lets them through when the pause ends", async () => {
    const quota = limiter(5);
    const start = Date.now();
    const until = start + 150;
    quota.pause("add", until);
    quota.pause("add", until - 100); // an earlier pause does not shorten a later one
    const createdAt = quota.acquire("create").then(() => Date.now());
    const addedAt = quota.acquire("add").then(() => Date.now());
    expect(await outcome(createdAt)).toBe(start);
    expect(await outcome(addedAt)).toBe("pending");
    await vi.runAllTimersAsync();
    expect(await addedAt).toBe(until);
  });

  it("rejects a waiting acquire as soon as it aborts, and the next waiter still gets its turn", async () => {
    const quota = limiter(1);
    const held = await quota.acquire("add");
    const controller = new AbortController();
    const reason = new Error("caller gave up");
    const abandoned = quota.acquire("add", controller.signal);
    const next = quota.acquire("add").then(() => Date.now());

    controller.abort(reason);
    expect(await outcome(abandoned)).toBe(reason);

    await vi.advanceTimersByTimeAsync(20);
    const releasedAt = Date.now();
    held.release();
    await vi.runAllTimersAsync();
    expect(await next).toBe(releasedAt + windowMs + marginMs);
  });

  it("rejects an aborted acquire as soon as it aborts, even while others wait ahead of it", async () => {
    const quota = limiter(1);
    const held = await quota.acquire("add");
    const ahead = quota.acquire("add");
    const controller = new AbortController();
    const reason = new Error("timed out in the queue");
    const behind = quota.acquire("add", controller.signal);

    await vi.advanceTimersByTimeAsync(20);
    controller.abort(reason);
    expect(await outcome(behind)).toBe(reason);

    held.release();
    await vi.runAllTimersAsync();
    const permit: Permit = await ahead;
    permit.release();
    const releasedAt = Date.now();
    const later = quota.acquire("add").then(() => Date.now());
    await vi.runAllTimersAsync();
    expect(await later).toBe(releasedAt + windowMs + marginMs);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });

  it("rejects at once when the signal is already aborted", async () => {
    const quota = limiter(1);
    const reason = new Error("already");
    await expect(quota.acquire("add", AbortSignal.abort(reason))).rejects.toBe(reason);
    await expect(quota.acquire("add").then(() => "admitted")).resolves.toBe("admitted");
  });

  it("paces create and add independently", async () => {
    const quota = limiter(5, 1);
    const creating = await quota.acquire("create");
    const start = Date.now();
    const secondCreate = quota.acquire("create").then(() => Date.now());
    const adds = Array.from({ length: 5 }, () => quota.acquire("add").then(() => Date.now()));
    for (const add of adds) expect(await outcome(add)).toBe(start);

    quota.pause("add", start + 10_000);
    creating.release();
    await vi.advanceTimersByTimeAsync(windowMs + marginMs);
    expect(await outcome(secondCreate)).toBe(start + windowMs + marginMs);
  });

  it("frees a slot one window after the call's request was written, however long its response takes", async () => {
    const quota = limiter(1);
    const first = await quota.acquire("add");
    await vi.advanceTimersByTimeAsync(20);
    first.sent!();
    const writtenAt = Date.now();
    // No release: the response is still out, as for a large call the server is still storing.
    const second = quota.acquire("add").then(() => Date.now());
    await vi.runAllTimersAsync();
    expect(await second).toBe(writtenAt + sentMarginMs + windowMs + marginMs);
    first.release();
  });

  it("anchors at responses only once the server has rejected a call for rate", async () => {
    const quota = limiter(1);
    const first = await quota.acquire("add");
    quota.pause("add", Date.now()); // what the call path does on RESOURCE_EXHAUSTED with a hint
    first.sent!();
    const second = quota.acquire("add").then(() => Date.now());
    await vi.advanceTimersByTimeAsync(sentMarginMs + windowMs + marginMs + 50);
    expect(await outcome(second)).toBe("pending"); // the write no longer counts as the anchor: the slot is still in flight
    const releasedAt = Date.now();
    first.release();
    await vi.runAllTimersAsync();
    expect(await second).toBe(releasedAt + windowMs + marginMs);
  });
});
