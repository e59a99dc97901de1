import type { Interceptor, Transport } from "@connectrpc/connect";
import { validateReadWriteMaxBytes } from "@connectrpc/connect/protocol";
import { createTransport } from "@connectrpc/connect/protocol-grpc";
import { compressionBrotli, compressionGzip, createGrpcTransport, createNodeHttpClient } from "@connectrpc/connect-node";
import { API_KEY_ENV } from "../../core/auth.js";
import type { Http2Options } from "../../core/client-options.js";
import { InputError } from "../../core/errors.js";
import { isLoopback } from "../../core/loopback.js";
import { AddFrames } from "../wire/add-frames.js";
import { fastPath } from "../wire/fast-path.js";
import { FrameBuffers } from "../wire/frame-buffers.js";
import { GuardedSessionManager } from "./guarded-sessions.js";
import { requestIdHeader } from "../call/call.js";
import { CallSentWatch } from "./call-sent.js";

/** How the client reaches the service. */
export interface ConnectionOptions extends Http2Options {
  /** Where the service is. @default "https://api.x.ai" (TLS on port 443) */
  baseUrl: string;
  /** Allow plaintext `http://` to a host that is not loopback. Only for trusted private networks. @default false */
  allowInsecure: boolean;
}

export const defaultConnectionOptions: Readonly<ConnectionOptions> = Object.freeze({
  baseUrl: "https://api.x.ai",
  allowInsecure: false,
  pingIntervalMs: 30_000,
  pingTimeoutMs: 10_000,
  readMaxBytes: 256 * 1024 * 1024,
  writeMaxBytes: 64 * 1024 * 1024,
});

/** A transport and the one HTTP/2 connection manager behind it, so `close()` can end the connection. */
export interface Connection {
  readonly transport: Transport;
  readonly baseUrl: string;
  /** Whether calls are told when their request was written (CallHooks.onSent): only on the library's own connection. */
  readonly reportsWrites: boolean;
  close(): void;
}

/**
 * Opens the gRPC transport. The connection is lazy (nothing is dialled until the first call) and, when the
 * server closes it (GOAWAY, restart, idle reaping), the next call dials a new one.
 */
export function openConnection(options: ConnectionOptions, interceptors: readonly Interceptor[] = [], own?: Transport): Connection {
  // The caller's transport is the caller's to configure and to close.
  if (own !== undefined) return { transport: own, baseUrl: "(the transport you passed)", reportsWrites: false, close: () => {} };
  const url = checkBaseUrl(options.baseUrl, options.allowInsecure);
  // The quota limiter anchors a call's slot when its request was written (see Permit.sent).
  const sent = new CallSentWatch(requestIdHeader);
  // Pings only while calls are open: pinging idle connections makes gRPC servers answer GOAWAY
  // "too_many_pings"; verification before reuse covers the idle case instead.
  const sessionManager = new GuardedSessionManager(
    url.origin,
    { pingIntervalMs: options.pingIntervalMs, pingTimeoutMs: options.pingTimeoutMs, pingIdleConnection: false },
    { maxSessionMemory: sessionMemoryMiB(options) },
    (headers, stream) => sent.watch(headers, stream),
  );
  // Inside the caller's, so it sees the request id and context exactly as they go to the session.
  const inner = [...interceptors, sent.interceptor];
  const { transport, release } = fastPath.on
    ? framedTransport(url.origin, sessionManager, options, inner)
    : {
        transport: createGrpcTransport({
          baseUrl: url.origin,
          sessionManager,
          readMaxBytes: options.readMaxBytes,
          writeMaxBytes: options.writeMaxBytes,
          interceptors: inner,
        }),
        release: () => {},
      };
  return {
    transport,
    baseUrl: url.origin,
    reportsWrites: true,
    // A tick later: a call that just returned has not had its stream's "close" yet, and when that comes
    // after abort() connect-node arms a fresh 15-minute idle timer on the dead session, which then holds
    // it (about 4 KB per closed client) until it fires.
    close: () => {
      release();
      setImmediate(() => sessionManager.abort());
    },
  };
}

/**
 * The fast path's transport: what createGrpcTransport builds (connect-node's validateNodeTransportOptions,
 * both pinned to one version), with the HTTP client wrapped so add calls send their own frame (see
 * AddFrames). `release` lets go of the frames' memory.
 */
function framedTransport(
  baseUrl: string,
  sessionManager: GuardedSessionManager,
  options: ConnectionOptions,
  interceptors: Interceptor[],
): { transport: Transport; release: () => void } {
  const limits = validateReadWriteMaxBytes(options.readMaxBytes, options.writeMaxBytes, undefined);
  const buffers = new FrameBuffers();
  const frames = new AddFrames(buffers, limits.writeMaxBytes);
  const transport = createTransport({
    baseUrl,
    httpClient: frames.httpClient(createNodeHttpClient({ httpVersion: "2", sessionProvider: () => sessionManager })),
    useBinaryFormat: true,
    // AddFrames writes uncompressed frames, as Connect does without it.
    sendCompression: null,
    acceptCompression: [compressionGzip, compressionBrotli],
    ...limits,
    // Innermost: it sees the message as it goes out.
    interceptors: [...interceptors, frames.interceptor],
  });
  return { transport, release: () => buffers.close() };
}

/**
 * Node caps what one HTTP/2 session may buffer at 10 MiB by default; past it nghttp2 refuses streams
 * (REFUSED_STREAM, ENHANCE_YOUR_CALM), and a few adds of several MB in flight cross that easily. Room
 * for a handful of the largest messages either way is enough; it is a cap, not an allocation.
 */
function sessionMemoryMiB(options: ConnectionOptions): number {
  return Math.ceil((4 * (options.writeMaxBytes + options.readMaxBytes)) / (1024 * 1024));
}

/** Validates the base URL and refuses plaintext to anything but loopback unless explicitly allowed. */
export function checkBaseUrl(baseUrl: string, allowInsecure: boolean): URL {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new InputError(
      `Expected \`baseUrl\` to be a URL such as "https://api.x.ai" or "http://127.0.0.1:50051", got ${JSON.stringify(withoutCredentials(baseUrl))}.`,
    );
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new InputError(`Expected \`baseUrl\` to use https:// (or http:// for a local emulator), got ${url.protocol}//.`);
  }
  if (url.username !== "" || url.password !== "") {
    throw new InputError(
      `Expected \`baseUrl\` without credentials, got ${JSON.stringify(withoutCredentials(baseUrl))}: pass the key as \`apiKey\` (or ${API_KEY_ENV}), never in the URL.`,
    );
  }
  if (url.pathname !== "/" || url.search !== "") {
    throw new InputError(`Expected \`baseUrl\` to be only a scheme, host and port (gRPC paths are fixed), got ${JSON.stringify(baseUrl)}.`);
  }
  if (url.protocol === "http:" && !allowInsecure && !isLoopback(url.hostname)) {
    throw new InputError(
      `Refusing plaintext http:// to ${url.hostname}: the API key would cross the network unencrypted. ` +
        `Use https://, or set \`allowInsecure: true\` if this is a trusted private network.`,
    );
  }
  return url;
}

/** The URL text with anything between "//" and "@" (a user and password, perhaps a key) blanked out. */
function withoutCredentials(baseUrl: string): string {
  return baseUrl.replace(/\/\/[^/?#]*@/, "//[redacted]@");
}
