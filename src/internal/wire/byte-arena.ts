/** Size of the chunks requests are written into; a request larger than this gets memory of its own. */
const chunkBytes = 256 * 1024;

/**
 * Memory for encoded requests, each a view of a shared chunk: a million short requests are a few thousand
 * buffers to the garbage collector instead of a million, and a chunk is freed whole once no request of
 * it is held (a call in flight holds its requests). Nothing handed out is written again.
 *
 * Writers make room with `reserve`, write at `used` into `chunk` (or `text`, the same memory as a Buffer,
 * for strings), then hand the bytes out with `commit`.
 */
export class ByteArena {
  chunk = new Uint8Array(0);
  text = Buffer.alloc(0);
  used = 0;

  /** Makes room for `size` more bytes at `used`. */
  reserve(size: number): void {
    if (this.used + size <= this.chunk.length) return;
    this.chunk = new Uint8Array(Math.max(chunkBytes, size));
    this.text = Buffer.from(this.chunk.buffer, this.chunk.byteOffset, this.chunk.length);
    this.used = 0;
  }

  /** The bytes written from `used` up to `end`, handed out; what is written next goes after them. */
  commit(end: number): Uint8Array {
    const start = this.used;
    this.used = end;
    return this.chunk.subarray(start, end);
  }
}
