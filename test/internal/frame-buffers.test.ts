import { afterEach, describe, expect, it, vi } from "vitest";
import { FrameBuffers } from "../../src/internal/wire/frame-buffers.js";

const MiB = 1024 * 1024;
const options = { minPooledBytes: MiB, maxFree: 2, idleMs: 1_000 };

afterEach(() => {
  vi.useRealTimers();
});

describe("FrameBuffers", () => {
  it("gives the next call the memory of a frame given back, even when it is a little larger", () => {
    const buffers = new FrameBuffers(options);
    const first = buffers.take(25_000_005);
    expect(first.length).toBe(25_000_005);
    buffers.give(first);
    const second = buffers.take(25_000_300);
    expect(second.length).toBe(25_000_300);
    expect(second.buffer).toBe(first.buffer);
    buffers.close();
  });

  it("never lends one buffer to two frames at once", () => {
    const buffers = new FrameBuffers(options);
    const a = buffers.take(3 * MiB);
    const b = buffers.take(3 * MiB);
    expect(b.buffer).not.toBe(a.buffer);
    buffers.give(a);
    expect(buffers.take(3 * MiB).buffer).toBe(a.buffer);
    expect(buffers.take(3 * MiB).buffer).not.toBe(a.buffer);
    buffers.close();
  });

  it("takes the smallest free buffer that fits, and keeps the largest when more are given back than it keeps", () => {
    const buffers = new FrameBuffers(options);
    const [small, medium, large] = [2, 5, 9].map((mib) => buffers.take(mib * MiB));
    for (const frame of [small!, medium!, large!]) buffers.give(frame);
    // Three given back, two kept: the 2 MiB one went.
    expect(buffers.take(1.5 * MiB).buffer).toBe(medium!.buffer);
    expect(buffers.take(1.5 * MiB).buffer).toBe(large!.buffer);
    expect(buffers.take(1.5 * MiB).buffer).not.toBe(small!.buffer);
    buffers.close();
  });

  it("does not pool small frames", () => {
    const buffers = new FrameBuffers(options);
    const small = buffers.take(1000).fill(1);
    buffers.give(small);
    buffers.take(1000).fill(2);
    expect(small.every((b) => b === 1)).toBe(true);
    buffers.close();
  });

  it("lets go of free buffers once idle, and of all of them when closed", () => {
    vi.useFakeTimers();
    const buffers = new FrameBuffers(options);
    const frame = buffers.take(2 * MiB);
    buffers.give(frame);
    vi.advanceTimersByTime(900);
    const again = buffers.take(2 * MiB);
    expect(again.buffer).toBe(frame.buffer);
    buffers.give(again);
    vi.advanceTimersByTime(1_001);
    expect(buffers.take(2 * MiB).buffer).not.toBe(frame.buffer);

    const kept = buffers.take(2 * MiB);
    buffers.close();
    buffers.give(kept);
    expect(buffers.take(2 * MiB).buffer).not.toBe(kept.buffer);
  });
});
