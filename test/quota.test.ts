import { getEventListeners } from "node:events";
import { describe, expect, it } from "vitest";
import { MemoryQuotaLimiter } from "../src/core/memory-quota-limiter.js";
import { sentMarginMs } from "../src/core/internal/pacing.js";
import type { Permit, QuotaKind } from "../src/core/quota.js";

// Real timers, scaled down: the window is 200 ms instead of a minute.
const windowMs = 200;
const marginMs = 5;
const limiter = (addLimit = 5, createLimit = 1) =>
  new MemoryQuotaLimiter({ create: { limit: createLimit, windowMs }, add: { limit: addLimit, windowMs } });

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Call {
  admittedMs: number;
  releasedMs?: number;
}

/** Acquires `kind`, records when it was admitted, holds the permit `holdMs` and records the release. */
async function run(quota: MemoryQuotaLimiter, kind: QuotaKind, holdMs: number, calls: Call[], order: number[], id: number): Promise<void> {
  const permit = await quota.acquire(kind);
  const call: Call = { admittedMs: Date.now() };
  calls.push(call);
  order.push(id);
  await delay(holdMs);
  call.releasedMs = Date.now();
  permit.release();
}

/** Slots a call admitted at `atMs` could see counted against it: earlier calls still in flight or released within the window. */
function slotsHeldAt(calls: Call[], self: Call): number {
  return calls.filter(
    (c) => c !== self && c.admittedMs <= self.admittedMs && (c.releasedMs === undefined || c.releasedMs > self.admittedMs - windowMs - marginMs),
  ).length;
}

describe("MemoryQuotaLimiter", () => {
  it("admits in arrival order and never more than `limit` slots within any window", async () => {
    const quota = limiter(5);
    const calls: Call[] = [];
    const order: number[] = [];
    const start = Date.now();
    await Promise.all(Array.from({ length: 12 }, (_, id) => run(quota, "add", 10, calls, order, id)));

    expect(order).toEqual([...Array(12).keys()]);
    expect(calls.slice(0, 5).every((c) => c.admittedMs - start < 50)).toBe(true);
    expect(calls[5]!.admittedMs - calls[0]!.releasedMs!).toBeGreaterThanOrEqual(windowMs + marginMs - 1);
    for (const call of calls) {
      expect(slotsHeldAt(calls, call)).toBeLessThan(5);
      expect(calls.filter((c) => c.admittedMs > call.admittedMs - windowMs && c.admittedMs <= call.admittedMs).length).toBeLessThanOrEqual(5);
    }
  });

  it("holds waiters while paused and lets them through when the pause ends", async () => {
    const quota = limiter(5);
    const until = Date.now() + 150;
    quota.pause("add", until);
    quota.pause("add", until - 100); // an earlier pause does not shorten a later one
    const createdAt = await quota.acquire("create").then(() => Date.now());
    const addedAt = await quota.acquire("add").then(() => Date.now());
    expect(createdAt).toBeLessThan(until - 100);
    expect(addedAt).toBeGreaterThanOrEqual(until);
    expect(addedAt - until).toBeLessThan(100);
  });

  it("rejects a waiting acquire promptly when it aborts, and the next waiter still gets its turn", async () => {
    const quota = limiter(1);
    const held = await quota.acquire("add");
    const controller = new AbortController();
    const reason = new Error("caller gave up");
    const abandoned = quota.acquire("add", controller.signal);
    const next = quota.acquire("add").then(() => Date.now());

    const abortedAt = Date.now();
    controller.abort(reason);
    await expect(abandoned).rejects.toBe(reason);
    expect(Date.now() - abortedAt).toBeLessThan(50);

    await delay(20);
    const releasedAt = Date.now();
    held.release();
    const nextAt = await next;
    expect(nextAt - releasedAt).toBeGreaterThanOrEqual(windowMs + marginMs - 1);
    expect(nextAt - releasedAt).toBeLessThan(windowMs + 150);
  });

  it("rejects an aborted acquire promptly even while others wait ahead of it", async () => {
    const quota = limiter(1);
    const held = await quota.acquire("add");
    const ahead = quota.acquire("add");
    const controller = new AbortController();
    const reason = new Error("timed out in the queue");
    const behind = quota.acquire("add", controller.signal);
    const settled = behind.then(
      () => "admitted",
      (error: unknown) => error,
    );

    await delay(20);
    controller.abort(reason);
    const outcome = await Promise.race([settled, delay(200).then(() => "still waiting")]);
    expect(outcome).toBe(reason);

    held.release();
    const permit: Permit = await ahead;
    permit.release();
    const releasedAt = Date.now();
    const laterAt = await quota.acquire("add").then(() => Date.now());
    expect(laterAt - releasedAt).toBeLessThan(windowMs + 150);
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
    const adds = await Promise.all(Array.from({ length: 5 }, () => quota.acquire("add").then(() => Date.now())));
    expect(Math.max(...adds) - start).toBeLessThan(50);

    quota.pause("add", Date.now() + 10_000);
    creating.release();
    const releasedAt = Date.now();
    expect((await secondCreate) - releasedAt).toBeLessThan(windowMs + 150);
  });

  it("frees a slot one window after the call's request was written, however long its response takes", async () => {
    const quota = limiter(1);
    const first = await quota.acquire("add");
    await delay(20);
    first.sent!();
    const writtenAt = Date.now();
    // No release: the response is still out, as for a large call the server is still storing.
    const second = await quota.acquire("add").then(() => Date.now());
    expect(second - writtenAt).toBeGreaterThanOrEqual(windowMs + sentMarginMs + marginMs - 1);
    first.release();
  });

  it("anchors at responses only once the server has rejected a call for rate", async () => {
    const quota = limiter(1);
    const first = await quota.acquire("add");
    quota.pause("add", Date.now()); // what the call path does on RESOURCE_EXHAUSTED with a hint
    first.sent!();
    let second: number | undefined;
    const waiting = quota.acquire("add").then(() => (second = Date.now()));
    await delay(windowMs + sentMarginMs + marginMs + 50);
    expect(second).toBeUndefined(); // the write no longer counts as the anchor: the slot is still in flight
    first.release();
    const releasedAt = Date.now();
    await waiting;
    expect(second! - releasedAt).toBeGreaterThanOrEqual(windowMs + marginMs - 1);
  });
});
