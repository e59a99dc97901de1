import { describe, expect, it } from "vitest";
import { SlidingWindowLimiter } from "../../src/emulator/limits.js";

function limiter(capacity: number, windowMs: number) {
  let now = 1_000;
  const limit = new SlidingWindowLimiter({ capacity, windowMs }, () => now);
  return { limit, advance: (ms: number) => (now += ms) };
}

describe("SlidingWindowLimiter", () => {
  it("admits exactly `capacity` calls in a window and tells the exact wait for the next", () => {
    const { limit, advance } = limiter(3, 1000);
    expect(limit.tryAdmit("t")).toEqual({ admitted: true });
    advance(100);
    expect(limit.tryAdmit("t")).toEqual({ admitted: true });
    advance(100);
    expect(limit.tryAdmit("t")).toEqual({ admitted: true });
    advance(50);
    // The first admission (at +0) leaves the window at +1000; now is +250.
    expect(limit.tryAdmit("t")).toEqual({ admitted: false, retryAfterMs: 750 });
  });

  it("admits again exactly when the oldest admission leaves the window", () => {
    const { limit, advance } = limiter(2, 1000);
    limit.tryAdmit("t");
    advance(400);
    limit.tryAdmit("t");
    advance(599);
    expect(limit.tryAdmit("t")).toEqual({ admitted: false, retryAfterMs: 1 });
    advance(1);
    expect(limit.tryAdmit("t")).toEqual({ admitted: true });
    // Now the window holds +400 and +1000: the next slot frees at +1400.
    expect(limit.tryAdmit("t")).toEqual({ admitted: false, retryAfterMs: 400 });
  });

  it("does not count refused calls", () => {
    const { limit, advance } = limiter(1, 1000);
    limit.tryAdmit("t");
    for (let i = 0; i < 10; i++) {
      advance(50);
      expect(limit.tryAdmit("t").admitted).toBe(false);
    }
    advance(500);
    expect(limit.tryAdmit("t")).toEqual({ admitted: true });
  });

  it("keeps keys apart", () => {
    const { limit } = limiter(1, 1000);
    expect(limit.tryAdmit("a").admitted).toBe(true);
    expect(limit.tryAdmit("b").admitted).toBe(true);
    expect(limit.tryAdmit("a").admitted).toBe(false);
  });

  it("admits everything when the window is 0", () => {
    const { limit } = limiter(1, 0);
    for (let i = 0; i < 5; i++) expect(limit.tryAdmit("t").admitted).toBe(true);
  });

  it.each([
    { capacity: 1, windowMs: 1000, gaps: [0, 999, 1], admitted: [true, false, true] },
    { capacity: 2, windowMs: 300, gaps: [0, 0, 0, 300], admitted: [true, true, false, true] },
    { capacity: 100, windowMs: 30_000, gaps: Array(101).fill(0), admitted: [...Array(100).fill(true), false] },
  ])("table: capacity $capacity per $windowMs ms", ({ capacity, windowMs, gaps, admitted }) => {
    const { limit, advance } = limiter(capacity, windowMs);
    expect(
      gaps.map((gap) => {
        advance(gap);
        return limit.tryAdmit("t").admitted;
      }),
    ).toEqual(admitted);
  });
});
