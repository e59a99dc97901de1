import { describe, expect, it } from "vitest";
import { SlidingWindow } from "../../src/core/internal/sliding-window.js";

const windowMs = 1_000;
const marginMs = 5;
const sentMarginMs = 50;

/** Admits `count` calls at `atMs` and completes each at the matching time of `completions`. */
function fill(window: SlidingWindow, atMs: number, completions: number[]): void {
  const slots = completions.map(() => window.admit(atMs));
  for (const [i, slot] of slots.entries()) slot.complete(completions[i]!);
}

describe("SlidingWindow", () => {
  it("admits `limit` calls at once", () => {
    const window = new SlidingWindow(3, windowMs, marginMs, sentMarginMs);
    for (let i = 0; i < 3; i++) {
      expect(window.nextAdmissionMs(0)).toBe(0);
      window.admit(0);
    }
    expect(window.inWindow(0)).toBe(3);
  });

  it("blocks with Infinity while the slots it waits on are in flight", () => {
    const window = new SlidingWindow(2, windowMs, marginMs, sentMarginMs);
    window.admit(0);
    window.admit(0);
    expect(window.nextAdmissionMs(0)).toBe(Infinity);
    expect(window.nextAdmissionMs(1_000_000)).toBe(Infinity);
    expect(window.inWindow(1_000_000)).toBe(2);
  });

  it("makes the (limit+1)-th call wait for the earliest anchored slot plus window and margin", () => {
    const window = new SlidingWindow(3, windowMs, marginMs, sentMarginMs);
    fill(window, 0, [200, 100, 150]);
    expect(window.nextAdmissionMs(200)).toBe(100 + windowMs + marginMs);
    expect(window.nextAdmissionMs(1_104)).toBe(1_105);
    expect(window.nextAdmissionMs(1_105)).toBe(1_105);
    expect(() => window.admit(1_105)).not.toThrow();
  });

  it("anchors a slot at its completion when its request was never reported written", () => {
    const window = new SlidingWindow(1, windowMs, marginMs, sentMarginMs);
    fill(window, 0, [800]);
    expect(window.nextAdmissionMs(1_500)).toBe(800 + windowMs + marginMs);
  });

  it("waits on the anchored slot when the rest of the window is in flight", () => {
    const window = new SlidingWindow(2, windowMs, marginMs, sentMarginMs);
    const first = window.admit(0);
    window.admit(0);
    first.complete(50);
    expect(window.nextAdmissionMs(60)).toBe(50 + windowMs + marginMs);
  });

  it("keeps only the latest `limit` slots in play when older ones linger", () => {
    const window = new SlidingWindow(2, windowMs, marginMs, sentMarginMs);
    fill(window, 0, [10, 20]);
    window.admit(1_015).complete(1_018); // the slot anchored at 10 has expired by 1_015
    expect(window.inWindow(1_020)).toBe(2);
    expect(window.nextAdmissionMs(1_020)).toBe(20 + windowMs + marginMs);
  });

  it("lets slots expire once window and margin have passed", () => {
    const window = new SlidingWindow(3, windowMs, marginMs, sentMarginMs);
    fill(window, 0, [100, 300]);
    expect(window.inWindow(1_104)).toBe(2);
    expect(window.inWindow(1_105)).toBe(1);
    expect(window.inWindow(1_305)).toBe(0);
  });

  it("refuses an admission while full", () => {
    const window = new SlidingWindow(1, windowMs, marginMs, sentMarginMs);
    window.admit(0);
    expect(() => window.admit(0)).toThrow(/window is full/);
  });

  it("ignores a second completion of the same slot", () => {
    const window = new SlidingWindow(1, windowMs, marginMs, sentMarginMs);
    const slot = window.admit(0);
    slot.complete(10);
    window.admit(1_015); // in flight
    slot.complete(2_000); // must not anchor the in-flight call
    expect(window.nextAdmissionMs(5_000)).toBe(Infinity);
  });

  it("anchors a slot at its request's end plus the sent margin, before the response", () => {
    const window = new SlidingWindow(1, windowMs, marginMs, sentMarginMs);
    const slot = window.admit(0);
    expect(window.nextAdmissionMs(100)).toBe(Infinity);
    slot.sent(300);
    expect(window.nextAdmissionMs(400)).toBe(300 + sentMarginMs + windowMs + marginMs);
    slot.complete(1_200); // a response after the anchor does not move it later
    expect(window.nextAdmissionMs(1_200)).toBe(300 + sentMarginMs + windowMs + marginMs);
  });

  it("keeps the response as the anchor when it comes within the sent margin", () => {
    const window = new SlidingWindow(1, windowMs, marginMs, sentMarginMs);
    const slot = window.admit(0);
    slot.sent(300);
    slot.complete(320);
    expect(window.nextAdmissionMs(400)).toBe(320 + windowMs + marginMs);
  });

  it("keeps the slots sorted when they are written in another order than they were sent", () => {
    const window = new SlidingWindow(2, windowMs, marginMs, sentMarginMs);
    const first = window.admit(0);
    const second = window.admit(0);
    second.sent(100);
    // The written slot is the oldest anchor, so it is the one a third call waits for, the other in flight or not.
    expect(window.nextAdmissionMs(150)).toBe(100 + sentMarginMs + windowMs + marginMs);
    first.sent(400);
    expect(window.inWindow(500)).toBe(2);
    expect(window.nextAdmissionMs(500)).toBe(100 + sentMarginMs + windowMs + marginMs);
    second.complete(900);
    first.complete(120); // earlier than its written anchor: the response is the later call's bound now
    expect(window.nextAdmissionMs(500)).toBe(120 + windowMs + marginMs);
  });

  it("ignores a late report for a slot that has left the window", () => {
    const window = new SlidingWindow(2, windowMs, marginMs, sentMarginMs);
    const old = window.admit(0);
    old.sent(0);
    window.admit(2_000); // the old slot expires here; this one stays in flight
    old.complete(10);
    expect(window.inWindow(2_000)).toBe(1);
    expect(window.nextAdmissionMs(2_000)).toBe(2_000);
  });
});
