import { describe, expect, it } from "vitest";
import { ByteArena } from "../../src/internal/wire/byte-arena.js";

/** Writes `size` bytes of `fill` through the arena, as an encoder does, and hands them out. */
function put(arena: ByteArena, size: number, fill: number): Uint8Array {
  arena.reserve(size);
  arena.chunk.fill(fill, arena.used, arena.used + size);
  return arena.commit(arena.used + size);
}

describe("ByteArena", () => {
  it("hands out views that share chunks and are never written again", () => {
    const arena = new ByteArena();
    const sizes = Array.from({ length: 5_000 }, (_, i) => 1 + ((i * 7919) % 700));
    const handed = sizes.map((size, i) => put(arena, size, i % 251));
    handed.forEach((bytes, i) => {
      expect(bytes.length).toBe(sizes[i]);
      expect(bytes.every((b) => b === i % 251)).toBe(true);
    });
    // ~1.75 MB of requests in 256 KiB chunks: a handful of buffers, not one per request.
    expect(new Set(handed.map((b) => b.buffer)).size).toBeLessThanOrEqual(8);
  });

  it("gives a request larger than a chunk memory of its own, and goes on after it", () => {
    const arena = new ByteArena();
    const small = put(arena, 10, 1);
    const large = put(arena, 300 * 1024, 2);
    const next = put(arena, 10, 3);
    expect(large.buffer).not.toBe(small.buffer);
    expect(large.length).toBe(300 * 1024);
    expect([small.every((b) => b === 1), large.every((b) => b === 2), next.every((b) => b === 3)]).toEqual([true, true, true]);
  });

  it("writes strings through its Buffer view into the same memory", () => {
    const arena = new ByteArena();
    arena.reserve(16);
    const end = arena.used + arena.text.write("héllo", arena.used, "utf8");
    expect(Buffer.from(arena.commit(end)).toString("utf8")).toBe("héllo");
  });
});
