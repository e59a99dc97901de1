/** A 32-bit hash of an id's first `length` bytes as IdSet stores them. */
export type IdHash = (bytes: Uint8Array, length: number) => number;

/**
 * The ids of one add, to refuse a repeated one: exact (two ids are the same only when their strings are
 * equal, code unit for code unit), in typed arrays instead of a Set of strings. A Set holds every id as a
 * heap string plus its table entry, ~45 bytes per short id, and a million ids make the heap the GC walks
 * grow by that; here an id costs its bytes, a hash and a slot (~20–30 bytes), off the heap.
 *
 * Each id is kept once, in pages of 1 MiB, as [hash, length and encoding, bytes] padded to 4 bytes: ASCII as
 * one byte per character, anything else as its UTF-16 code units, so lone surrogates stay distinct. `slots` is an
 * open-addressed table (linear probing, at most half full) of entry positions; a hash match is confirmed
 * by comparing the bytes, so a hash collision costs a comparison, never a wrong answer.
 */
export class IdSet {
  #slots = new Uint32Array(1024);
  /** Entries, in pages that are never copied: a grown copy would leave the old one as garbage of the same size. */
  #pages: Uint32Array[] = [];
  #page = new Uint32Array(0);
  /** Words of `page` in use. */
  #used = 0;
  #size = 0;
  #scratch = Buffer.alloc(256);

  /** `hash` is replaceable so tests can force collisions. */
  constructor(private readonly hash: IdHash = fnv1a) {}

  /** Adds `id`; false when it was there already. */
  add(id: string): boolean {
    const lengthTag = this.#encode(id);
    const hash = this.hash(this.#scratch, lengthTag >>> 1) >>> 0;
    const slot = this.#find(hash, lengthTag);
    if (this.#slots[slot] !== 0) return false;
    this.#slots[slot] = this.#append(hash, lengthTag);
    if (++this.#size * 2 > this.#slots.length) this.#grow();
    return true;
  }

  /** Writes `id` into scratch as stored; the length's lowest bit says which encoding. */
  #encode(id: string): number {
    const ascii = Buffer.byteLength(id, "utf8") === id.length;
    const bytes = ascii ? id.length : id.length * 2;
    if (bytes > this.#scratch.length) this.#scratch = Buffer.alloc(Math.max(bytes, this.#scratch.length * 2));
    this.#scratch.write(id, 0, ascii ? "latin1" : "utf16le");
    return bytes * 2 + (ascii ? 0 : 1);
  }

  /** The slot holding the id in scratch (`lengthTag` from `encode`), or the empty slot where it belongs. */
  #find(hash: number, lengthTag: number): number {
    const mask = this.#slots.length - 1;
    const bytes = lengthTag >>> 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const ref = this.#slots[slot]!;
      if (ref === 0) return slot;
      const page = this.#pages[ref >>> pageShift]!;
      const word = ref & wordMask;
      if (page[word] !== hash || page[word + 1] !== lengthTag) continue;
      const at = page.byteOffset + (word + 2) * 4;
      if (this.#scratch.compare(new Uint8Array(page.buffer), at, at + bytes, 0, bytes) === 0) return slot;
    }
  }

  /** Stores the id in scratch; returns its slot reference (page and word, never 0). */
  #append(hash: number, lengthTag: number): number {
    const bytes = lengthTag >>> 1;
    const words = 2 + Math.ceil(bytes / 4);
    if (this.#used + words > this.#page.length) {
      // Word 0 of the first page is never used, so no reference is 0; an id larger than a page gets one of its own.
      this.#page = new Uint32Array(Math.max(pageWords, words + 1));
      this.#pages.push(this.#page);
      this.#used = 1;
      if (this.#pages.length > maxPages) throw new RangeError("IdSet: more ids than one add can hold");
    }
    const word = this.#used;
    const page = this.#page;
    page[word] = hash;
    page[word + 1] = lengthTag;
    new Uint8Array(page.buffer, page.byteOffset + (word + 2) * 4, bytes).set(this.#scratch.subarray(0, bytes));
    this.#used += words;
    return ((this.#pages.length - 1) << pageShift) | word;
  }

  #grow(): void {
    const old = this.#slots;
    this.#slots = new Uint32Array(old.length * 2);
    const mask = this.#slots.length - 1;
    for (const ref of old) {
      if (ref === 0) continue;
      let slot = this.#pages[ref >>> pageShift]![ref & wordMask]! & mask;
      while (this.#slots[slot] !== 0) slot = (slot + 1) & mask;
      this.#slots[slot] = ref;
    }
  }
}

/** Words per page (1 MiB); a reference is a page number above the word within its page. */
const pageShift = 18;
const pageWords = 1 << pageShift;
const wordMask = pageWords - 1;
const maxPages = 2 ** (32 - pageShift);

/** FNV-1a over the stored bytes: cheap, and ids that differ in one character land apart. */
function fnv1a(bytes: Uint8Array, length: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return h >>> 0;
}
