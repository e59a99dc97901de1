/** How FrameBuffers keeps memory. */
export interface FrameBufferOptions {
  /** Frames smaller than this get memory of their own: their garbage is small. @default 1 MiB */
  readonly minPooledBytes: number;
  /** Free buffers kept; one a call being written, and calls on a connection are mostly written one at a time. @default 2 */
  readonly maxFree: number;
  /** Free buffers are let go after this long without a frame taken or given back, so an idle client holds none. @default 10_000 */
  readonly idleMs: number;
}

export const defaultFrameBufferOptions: Readonly<FrameBufferOptions> = Object.freeze({
  minPooledBytes: 1024 * 1024,
  maxFree: 2,
  idleMs: 10_000,
});

/**
 * Memory for the frames of add calls, used again once a frame has been written. A frame is dead the moment
 * its last byte is written, yet a fresh buffer per call (25 MB) lingers until V8's next major GC, which
 * its external-memory heuristic puts off by tens of MB: RSS then grows with the number of calls.
 * Sizes are rounded up to whole MiB so that one buffer fits the next call, whose size differs by a few requests.
 */
export class FrameBuffers {
  #free: ArrayBuffer[] = [];
  #idle: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(private readonly options: FrameBufferOptions = defaultFrameBufferOptions) {}

  /** A buffer of exactly `size` bytes, not zeroed; give it back once nothing reads it any more. */
  take(size: number): Buffer {
    if (size < this.options.minPooledBytes) return Buffer.allocUnsafe(size);
    let best = -1;
    for (let i = 0; i < this.#free.length; i++) {
      const length = this.#free[i]!.byteLength;
      if (length >= size && (best === -1 || length < this.#free[best]!.byteLength)) best = i;
    }
    const memory = best === -1 ? new ArrayBuffer(Math.ceil(size / granule) * granule) : this.#free.splice(best, 1)[0]!;
    this.#touch();
    return Buffer.from(memory, 0, size);
  }

  /** Takes back a buffer from `take`: the caller must not touch it again, nor anyone it lent it to. */
  give(frame: Buffer): void {
    if (this.#closed || frame.length < this.options.minPooledBytes) return;
    this.#free.push(frame.buffer as ArrayBuffer);
    // Past the cap the smallest goes: the larger fits any call the smaller does.
    if (this.#free.length > this.options.maxFree) {
      this.#free.sort((a, b) => b.byteLength - a.byteLength);
      this.#free.length = this.options.maxFree;
    }
    this.#touch();
  }

  /** Lets go of every free buffer; frames given back later are dropped. */
  close(): void {
    this.#closed = true;
    this.#free = [];
    clearTimeout(this.#idle);
  }

  #touch(): void {
    if (this.#closed) return;
    if (this.#idle === undefined) this.#idle = setTimeout(() => (this.#free = []), this.options.idleMs).unref();
    else this.#idle.refresh();
  }
}

const granule = 1024 * 1024;
