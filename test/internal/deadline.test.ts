import { describe, expect, it } from "vitest";
import { Deadline, msOrNone, resolveTimeoutMs } from "../../src/internal/call/deadline.js";
import { defaultTimeoutsMs } from "../../src/core/timeouts.js";

describe("resolveTimeoutMs", () => {
  it.each([
    ["the per-call value wins over the client's", 1_000, 2_000, 1_000],
    ["the client's value wins over the default", undefined, 2_000, 2_000],
    ["the RPC's default applies when neither is set", undefined, undefined, 300_000],
    ["a per-call 0 means no deadline, even with a client value", 0, 2_000, undefined],
    ["a client 0 means no deadline", undefined, 0, undefined],
    ["a per-call value overrides a client 0", 5_000, 0, 5_000],
  ])("%s", (_name, perCallMs, clientMs, expected) => {
    expect(resolveTimeoutMs("AddBatchRequests", perCallMs, clientMs)).toBe(expected);
  });

  it("gives each RPC its own default", () => {
    expect(resolveTimeoutMs("GetBatch", undefined, undefined)).toBe(30_000);
    expect(resolveTimeoutMs("ListBatchResults", undefined, undefined)).toBe(120_000);
    expect(Object.isFrozen(defaultTimeoutsMs)).toBe(true);
  });
});

describe("Deadline", () => {
  it.each([
    ["just created", 500, 0, 500, false],
    ["1 ms before it passes", 500, 499, 1, false],
    ["exactly when it passes", 500, 500, 0, true],
    ["long after it passed: never negative", 100, 5_000, 0, true],
    ["after earlier attempts spent part of it: retries never extend it", 1_000, 700, 300, false],
    ["without a timeout: never", undefined, Number.MAX_SAFE_INTEGER, undefined, false],
  ])("time left %s", (_name, timeoutMs, elapsedMs, remainingMs, expired) => {
    let nowMs = 10_000;
    const deadline = Deadline.after(timeoutMs, () => nowMs);
    nowMs += elapsedMs;
    expect(deadline.remainingMs()).toBe(remainingMs);
    expect(deadline.expired).toBe(expired);
  });
});

describe("0 means none, read in one place", () => {
  it("gives no deadline for 0 or unset, whether a call's or a whole operation's", () => {
    expect(msOrNone(0)).toBeUndefined();
    expect(msOrNone(undefined)).toBeUndefined();
    expect(msOrNone(5)).toBe(5);
    expect(Deadline.after(0).remainingMs()).toBeUndefined();
    expect(Deadline.after(0).expired).toBe(false);
    expect(resolveTimeoutMs("GetBatch", 0, 5_000)).toBeUndefined();
  });
});

describe("Deadline.earliest", () => {
  const at = (timeoutMs: number | undefined) => Deadline.after(timeoutMs, () => 10_000);

  it("is the sooner of a call's own deadline and its operation's", () => {
    const call = at(500);
    const operation = at(200);
    expect(Deadline.earliest(call, operation)).toBe(operation);
    expect(Deadline.earliest(operation, call)).toBe(operation);
  });

  it("ignores deadlines that are missing or have no time", () => {
    const call = at(500);
    expect(Deadline.earliest(at(undefined), call, undefined)).toBe(call);
  });

  it("is no deadline when none bounds", () => {
    const none = Deadline.earliest(undefined, at(undefined));
    expect(none.remainingMs()).toBeUndefined();
    expect(none.expired).toBe(false);
  });
});
