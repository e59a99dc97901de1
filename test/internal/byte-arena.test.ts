import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ByteArena, type ArenaChunk } from "../../src/internal/byte-arena.js";

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

  it("writes again only into chunks whose every view was released, and keeps every held view's bytes", () => {
    // Each step writes a view (sizes up to just over a chunk) or releases a random held one.
    const step = fc.oneof(fc.record({ write: fc.integer({ min: 1, max: 270 * 1024 }) }), fc.record({ release: fc.nat() }));
    fc.assert(
      fc.property(fc.array(step, { maxLength: 120 }), (steps) => {
        const arena = new ByteArena();
        const held: { bytes: Uint8Array; memory: ArenaChunk; fill: number }[] = [];
        const buffers = new Set<ArrayBufferLike>();
        let written = 0;
        for (const s of steps) {
          if ("write" in s) {
            const fill = written++ % 251;
            const bytes = put(arena, s.write, fill);
            buffers.add(bytes.buffer);
            held.push({ bytes, memory: arena.current!, fill });
          } else if (held.length > 0) {
            held.splice(s.release % held.length, 1)[0]!.memory.release();
          }
          for (const h of held) expect(h.bytes.every((b) => b === h.fill)).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });

  it("hands out a released chunk's memory again instead of new memory", () => {
    const arena = new ByteArena();
    const first = Array.from({ length: 2_000 }, (_, i) => ({ bytes: put(arena, 300, i % 251), memory: arena.current! }));
    for (const r of first) r.memory.release();
    const firstBuffers = new Set(first.map((r) => r.bytes.buffer));
    const second = Array.from({ length: 2_000 }, (_, i) => put(arena, 300, (i + 7) % 251));
    // ~600 KB: three chunks; all but the one still written into come back, so at most one is new.
    expect([...new Set(second.map((b) => b.buffer))].filter((b) => !firstBuffers.has(b)).length).toBeLessThanOrEqual(1);
    second.forEach((bytes, i) => expect(bytes.every((b) => b === (i + 7) % 251)).toBe(true));
  });

  it("never uses again a large request's own memory, and refuses a view released twice", () => {
    const arena = new ByteArena();
    const large = put(arena, 300 * 1024, 1);
    const memory = arena.current!;
    put(arena, 10, 2);
    memory.release();
    const next = put(arena, 300 * 1024, 3);
    expect(next.buffer).not.toBe(large.buffer);
    expect(() => memory.release()).toThrow(/released twice/);
  });
});
