import { Http2SessionManager } from "@connectrpc/connect-node";
import type * as http2 from "node:http2";

/**
 * Connect-node's session manager drops its own `error` listeners when it moves on from a session
 * (replaced, shutting down, verified), yet a PING timeout armed earlier, or the socket itself, can
 * still destroy that session with an error, and an `error` event nobody listens to kills the process
 * (connect-es #1768). Every session a stream is opened on gets one listener of ours for its whole
 * life. The calls on it still fail through their streams, as UNAVAILABLE, and are retried; the
 * manager dials a fresh session for the next call. It also shows each stream it opens to `onStream`,
 * the one place a call's HTTP/2 stream can be seen (to learn when its request was written).
 */
export class GuardedSessionManager extends Http2SessionManager {
  readonly #guarded = new WeakSet<http2.Http2Session>();
  readonly #onStream: (headers: http2.OutgoingHttpHeaders, stream: http2.ClientHttp2Stream) => void;

  constructor(
    url: string,
    pingOptions: ConstructorParameters<typeof Http2SessionManager>[1],
    http2SessionOptions: ConstructorParameters<typeof Http2SessionManager>[2],
    /** Shown each stream as it opens, with the headers it was opened with. */
    onStream: (headers: http2.OutgoingHttpHeaders, stream: http2.ClientHttp2Stream) => void,
  ) {
    super(url, pingOptions, http2SessionOptions);
    this.#onStream = onStream;
  }

  override async request(
    method: string,
    path: string,
    headers: http2.OutgoingHttpHeaders,
    options: Omit<http2.ClientSessionRequestOptions, "signal">,
  ): Promise<http2.ClientHttp2Stream> {
    const stream = await super.request(method, path, headers, options);
    this.#onStream(headers, stream);
    const session = stream.session;
    if (session !== undefined && !this.#guarded.has(session)) {
      this.#guarded.add(session);
      session.on("error", ignoreSessionError);
    }
    return stream;
  }
}

/** The failure reaches every call on the session through its stream; here it only must not be unhandled. */
function ignoreSessionError(): void {}
