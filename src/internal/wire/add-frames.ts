import type { MessageShape } from "@bufbuild/protobuf";
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import type { UniversalClientFn } from "@connectrpc/connect/protocol";
import { PreencodedAddBatchRequestsRequestSchema } from "../../core/internal/wire.js";
import { addMessageSize, frameHeaderBytes, writeAddFrame } from "./add-frame.js";
import type { FrameBuffers } from "./frame-buffers.js";

type PreencodedAdd = MessageShape<typeof PreencodedAddBatchRequestsRequestSchema>;

/**
 * Sends each add call's request as one frame written from the request bytes add already holds, in place
 * of Connect's body. Connect's would cost two more copies of a call (protobuf-es's toBinary, then the
 * envelope), each held until the write ends and dead after it: three 25 MB buffers per call written, the
 * garbage of two per call (bench scenario 2, bulk-add). The frame instead comes from `buffers` and
 * goes back to them once written. It is byte for byte what Connect would send; everything else about
 * the call (interceptors, deadline, errors, write observation) stays Connect's.
 *
 * Connect serialises only when the HTTP client pulls the body, so swapping the body before it is pulled
 * skips that work. The interceptor (innermost: it sees the message as it goes out) notes the message
 * under the call's header object, which Connect hands on to the HTTP client as it is, once per attempt.
 */
export class AddFrames {
  readonly #messages = new WeakMap<Headers, PreencodedAdd>();

  /** `writeMaxBytes`: the transport's, enforced as Connect's serialiser would. */
  constructor(
    private readonly buffers: FrameBuffers,
    private readonly writeMaxBytes: number,
  ) {}

  readonly interceptor: Interceptor = (next) => (req) => {
    // Unknown fields would be written by toBinary too; such a message is left to Connect.
    if (!req.stream && req.method.input === PreencodedAddBatchRequestsRequestSchema && (req.message.$unknown?.length ?? 0) === 0) {
      this.#messages.set(req.header, req.message as PreencodedAdd);
    }
    return next(req);
  };

  /** The HTTP client with the body of each noted call replaced by its frame. */
  httpClient(inner: UniversalClientFn): UniversalClientFn {
    return (req) => {
      const message = this.#messages.get(req.header);
      if (message === undefined) return inner(req);
      this.#messages.delete(req.header);
      return inner({ ...req, body: this.#body(message) });
    };
  }

  /**
   * One chunk, the whole frame, built when first pulled (as Connect serialises: once the stream is open).
   * The HTTP client pulls again only after the write's callback, when the socket has taken every byte, so
   * that is when the buffer goes back; a write cut short ends in `throw`, which gives it back too. A call
   * aborted mid-write is never pulled again: its buffer is left to the GC, since the write may still hold it.
   */
  #body(message: PreencodedAdd): AsyncIterable<Uint8Array> {
    let frame: Buffer | undefined;
    let pulled = false;
    const release = () => {
      if (frame !== undefined) this.buffers.give(frame);
      frame = undefined;
    };
    const end = { done: true, value: undefined } as const;
    const iterator: AsyncIterator<Uint8Array> = {
      next: async () => {
        if (pulled) {
          release();
          return end;
        }
        pulled = true;
        const size = addMessageSize(message.batchId, message.batchRequests);
        if (size > this.writeMaxBytes) {
          // Connect's own words and code (its limit-io's assertWriteMaxBytes, not exported), as its serialiser throws them.
          throw new ConnectError(
            `message size ${size} is larger than configured writeMaxBytes ${this.writeMaxBytes}`,
            Code.ResourceExhausted,
          );
        }
        frame = this.buffers.take(frameHeaderBytes + size);
        writeAddFrame(frame, message.batchId, message.batchRequests);
        return { done: false, value: frame };
      },
      throw: async () => {
        release();
        return end;
      },
      return: async () => {
        release();
        return end;
      },
    };
    return { [Symbol.asyncIterator]: () => iterator };
  }
}
