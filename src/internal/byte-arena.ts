/** Size of the chunks requests are written into; a request larger than this gets memory of its own. */
const chunkBytes = 256 * 1024;

/**
 * Memory for encoded requests, each a view of a shared chunk: a million short requests are a few thousand
 * buffers to the garbage collector instead of a million, and a chunk is freed whole once no request of
 * it is held (a call in flight holds its requests).
 *
 * A chunk is also used again by this arena once every view handed out of it has been released (see
 * ArenaChunk): an add's requests are dead once their call has ended, yet a fresh chunk per 256 KiB lingers
 * until V8's next major GC, which its external-memory heuristic puts off by tens of MB. A view not
 * released is never written again.
 *
 * Writers make room with `reserve`, write at `used` into `chunk` (or `text`, the same memory as a Buffer,
 * for strings), then hand the bytes out with `commit`; `current` is the chunk they are in.
 */
export class ByteArena {
  chunk: Uint8Array = new Uint8Array(0);
  text: Buffer = Buffer.alloc(0);
  used = 0;
  current: ArenaChunk | undefined;
  readonly #free: ArenaChunk[] = [];

  /** Makes room for `size` more bytes at `used`. */
  reserve(size: number): void {
    if (this.used + size <= this.chunk.length) return;
    this.current?.seal();
    const pooled = size <= chunkBytes;
    const next = (pooled ? this.#free.pop() : undefined) ?? new ArenaChunk(new Uint8Array(Math.max(chunkBytes, size)), pooled ? this.#free : undefined);
    next.reopen();
    this.current = next;
    this.chunk = next.memory;
    this.text = next.text;
    this.used = 0;
  }

  /** The bytes written from `used` up to `end`, handed out and held in `current`; what is written next goes after them. */
  commit(end: number): Uint8Array {
    const start = this.used;
    this.used = end;
    this.current!.hold();
    return this.chunk.subarray(start, end);
  }
}

/**
 * One chunk of a ByteArena and how many views handed out of it are held. Whoever holds a view releases it
 * exactly once, when nothing will read those bytes again; the chunk goes back to its arena once its
 * arena has moved on from it and no view is held.
 */
export class ArenaChunk {
  readonly text: Buffer;
  #held = 0;
  #writing = true;

  /** `free`: where the chunk goes once unused; undefined for a chunk sized for one large request. */
  constructor(
    readonly memory: Uint8Array,
    private readonly free: ArenaChunk[] | undefined,
  ) {
    this.text = Buffer.from(memory.buffer, memory.byteOffset, memory.length);
  }

  hold(): void {
    this.#held++;
  }

  /** Gives back one view held; its bytes may be overwritten from now on. */
  release(): void {
    if (this.#held === 0) throw new Error("ArenaChunk: a view released twice");
    this.#held--;
    this.#giveBackIfUnused();
  }

  /** The arena writes no more into it. */
  seal(): void {
    this.#writing = false;
    this.#giveBackIfUnused();
  }

  /** The arena writes into it again. */
  reopen(): void {
    this.#writing = true;
  }

  #giveBackIfUnused(): void {
    if (this.#held === 0 && !this.#writing) this.free?.push(this);
  }
}
