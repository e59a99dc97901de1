/** Limits one AddBatchRequests call must stay within. */
export interface ChunkLimits {
  /** Largest encoded AddBatchRequestsRequest, envelope included. */
  readonly maxBytes: number;
  /** Most requests in one call. */
  readonly maxRequests: number;
}

/** Bytes a varint takes on the wire. */
export function varintSize(value: number): number {
  let size = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 0x80);
    size++;
  }
  return size;
}

/** Writes `value` (a length, below 2^32) as a varint into `target` at `at`; returns where it ends. */
export function writeVarint(target: Uint8Array, at: number, value: number): number {
  while (value >= 0x80) {
    target[at++] = (value & 0x7f) | 0x80;
    value >>>= 7;
  }
  target[at++] = value;
  return at;
}

/**
 * Bytes a length-delimited field of `payloadBytes` adds to its message: tag, length prefix, payload. The
 * fields of AddBatchRequestsRequest have numbers below 16, so the tag is one byte.
 */
export function fieldSize(payloadBytes: number): number {
  return 1 + varintSize(payloadBytes) + payloadBytes;
}

/** Bytes of an AddBatchRequestsRequest that holds only `batch_id`, i.e. what every call pays before any request. */
export function envelopeSize(batchId: string): number {
  const idBytes = Buffer.byteLength(batchId, "utf8");
  return idBytes === 0 ? 0 : fieldSize(idBytes);
}

/**
 * Accumulates requests into calls. `fits` answers exactly whether one more encoded request keeps the call
 * within both limits, so a planned call is never a byte over, and a request alone too large is reported by
 * `fitsAlone` before anything is sent.
 */
export class ChunkPlanner {
  private bytes: number;
  private count = 0;

  constructor(
    private readonly limits: ChunkLimits,
    private readonly envelopeBytes: number,
  ) {
    this.bytes = envelopeBytes;
  }

  /** Whether a request of `requestBytes` can be sent in any call at all. */
  fitsAlone(requestBytes: number): boolean {
    return this.envelopeBytes + fieldSize(requestBytes) <= this.limits.maxBytes;
  }

  /** Whether a request of `requestBytes` fits in the call being built. */
  fits(requestBytes: number): boolean {
    return this.count < this.limits.maxRequests && this.bytes + fieldSize(requestBytes) <= this.limits.maxBytes;
  }

  /** Counts a request into the call being built. */
  add(requestBytes: number): void {
    this.bytes += fieldSize(requestBytes);
    this.count++;
  }

  /** Starts a new call; returns the encoded size of the one just finished. */
  reset(): number {
    const finished = this.bytes;
    this.bytes = this.envelopeBytes;
    this.count = 0;
    return finished;
  }

  /** Requests in the call being built. */
  get size(): number {
    return this.count;
  }
}
