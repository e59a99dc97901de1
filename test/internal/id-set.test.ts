import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { IdSet, type IdHash } from "../../src/internal/id-set.js";

// Ids drawn from a small alphabet collide often as strings; the rest cover every kind of code unit: ASCII,
// Latin-1, the BMP, astral pairs, lone surrogates, the empty id and the NUL character.
const id = fc.oneof(
  fc.string({ unit: fc.constantFrom("a", "b", "\u0000"), maxLength: 4 }),
  fc.string({ unit: "binary", maxLength: 12 }),
  fc.string({ unit: fc.constantFrom("é", "\ud800", "\udc00", "\u5958", "X", "Y"), maxLength: 4 }),
  fc.string({ unit: "grapheme-ascii", minLength: 200, maxLength: 400 }),
);
// Every id in a handful of buckets, or all in one: each lookup compares bytes with many stored ids.
const colliding: IdHash[] = [(bytes, length) => (length > 0 ? bytes[0]! % 3 : 7), () => 0x12345678];

/** Adds every id to an IdSet and to a Set, asserting they agree on each answer. */
function agreesWithSet(ids: readonly string[], hash?: IdHash): void {
  const set = new IdSet(hash);
  const reference = new Set<string>();
  for (const id of ids) {
    const isNew = !reference.has(id);
    reference.add(id);
    expect(set.add(id)).toBe(isNew);
  }
  for (const id of reference) expect(set.add(id)).toBe(false);
}

describe("IdSet", () => {
  it("refuses exactly the ids added before, as a Set of strings does", () => {
    fc.assert(fc.property(fc.array(id, { maxLength: 300 }), (ids) => agreesWithSet(ids)), { numRuns: 300 });
  });

  it("stays exact when every hash collides", () => {
    for (const hash of colliding) {
      fc.assert(fc.property(fc.array(id, { maxLength: 200 }), (ids) => agreesWithSet(ids, hash)), { numRuns: 150 });
    }
  });

  it("tells apart ids whose stored bytes would match in another encoding", () => {
    // "XY" as ASCII and U+5958 as UTF-16 are the same two bytes; lone surrogates are distinct code units
    // that UTF-8 would turn into the same replacement character.
    agreesWithSet(["XY", "\u5958", "\ud800", "\ud801", "\ufffd", "é", "\u00e9\u0000", ""], () => 1);
  });

  it("keeps every id through many growths of its table and store", () => {
    const set = new IdSet();
    const n = 150_000; // several pages of entries
    let added = 0;
    for (let i = 0; i < n; i++) if (set.add(`req-${i}`)) added++;
    for (let i = 0; i < n; i++) if (set.add(`req-${i}`)) added++;
    expect(added).toBe(n);
    expect(set.add("x".repeat(100_000))).toBe(true);
    expect(set.add("x".repeat(100_000))).toBe(false);
    expect(set.add("x".repeat(99_999))).toBe(true);
    expect(set.add(`req-${n}`)).toBe(true);
  });
});
