import { createContextKey, type Interceptor } from "@connectrpc/connect";
import type * as http2 from "node:http2";

/** What a call wants told when its request has been written: set by the call path, read by CallSentWatch. */
export const onCallSent = createContextKey<(() => void) | undefined>(undefined, {
  description: "told when the request's last byte was handed to the socket",
});

/**
 * Tells a call the moment its request finished writing to the socket. Connect does not expose that
 * moment; the HTTP/2 stream does (its `finish`: every DATA frame, END_STREAM included, was written). The
 * interceptor notes, by the request id every call carries, whom to tell; the session manager finds the
 * call's stream by the same header. Attempts of one call share the id but never overlap, so the id names
 * one stream at a time.
 */
export class CallSentWatch {
  private readonly waiting = new Map<string, () => void>();

  /** `idHeader`: the header with each call's own id (the call path's request id). */
  constructor(private readonly idHeader: string) {}

  readonly interceptor: Interceptor = (next) => async (req) => {
    const notify = req.contextValues.get(onCallSent);
    // Most calls (reads) have nobody to tell: they pass without a header lookup.
    if (notify === undefined) return next(req);
    const id = req.header.get(this.idHeader);
    if (id === null) return next(req);
    this.waiting.set(id, notify);
    try {
      return await next(req);
    } finally {
      if (this.waiting.get(id) === notify) this.waiting.delete(id);
    }
  };

  /** Called with each stream the session manager opens. */
  watch(headers: http2.OutgoingHttpHeaders, stream: http2.ClientHttp2Stream): void {
    const id = headers[this.idHeader];
    if (typeof id !== "string") return;
    const notify = this.waiting.get(id);
    if (notify === undefined) return;
    this.waiting.delete(id);
    // A stream that fails before it has written everything never finishes; its slot waits for the response.
    stream.once("finish", notify);
  }
}
