import type { Http2Server, ServerHttp2Session } from "node:http2";
import { Server, ServerCredentials, type ServiceDefinition, type UntypedServiceImplementation } from "@grpc/grpc-js";
import { ConnectionGuard, type ConnectionEvents } from "./connections.js";

/**
 * HTTP/2 flow-control windows the server grants, per stream and per connection. At HTTP/2's default of
 * 64 KiB each, a client sending a 25 MB call stops after 64 KiB whenever the server's event loop is
 * busy (decoding the previous call, a GC pause) and waits for a WINDOW_UPDATE, and the server writes
 * one of those every few frames. Larger windows let a call arrive while the server works; what a
 * connection may have in flight stays bounded by the connection window.
 */
const streamWindowBytes = 4 * 1024 * 1024;
const connectionWindowBytes = 16 * 1024 * 1024;

/** How the grpc-js server listens. */
export interface ListenOptions {
  host: string;
  port: number;
  /** Largest message received or sent. */
  maxMessageBytes: number;
  /** GOAWAY connections older than this (calls in flight get as long again); `0` never does. */
  maxConnectionAgeMs: number;
  /** Connections open at once; one more is closed at once. */
  maxConnections: number;
  /** Streams (calls) open at once on one connection, announced in SETTINGS. */
  maxConcurrentStreams: number;
  /** What the connection guard counts and reports. */
  events: ConnectionEvents;
}

/** A listening grpc-js server. */
export interface Listener {
  /** The bound port (the real one when 0 was asked for). */
  port: number;
  /** `host:port` as it goes in a URL (an IPv6 host in brackets). */
  authority: string;
  /** Sends GOAWAY to every open connection and cuts them at once; new connections are still accepted. */
  dropConnections(): void;
  /** Stops accepting calls; calls in flight get `graceMs` to finish before their connections are cut. */
  stop(graceMs: number): Promise<void>;
}

/** A service to serve: its grpc-js method table and handlers. */
export interface ServedService {
  definition: ServiceDefinition;
  implementation: UntypedServiceImplementation;
}

/**
 * Serves services on one grpc-js server fed by a ConnectionGuard bound to `host:port`: the guard owns
 * the sockets, so connection limits and the clean-up of failed sessions do not depend on grpc-js.
 */
export async function listen(services: readonly ServedService[], options: ListenOptions): Promise<Listener> {
  const server = new Server({
    "grpc.max_receive_message_length": options.maxMessageBytes,
    "grpc.max_send_message_length": options.maxMessageBytes,
    "grpc.max_concurrent_streams": options.maxConcurrentStreams,
    // Calls in flight at the GOAWAY get as long again to finish: the fault is the GOAWAY, not lost calls.
    ...(options.maxConnectionAgeMs > 0
      ? { "grpc.max_connection_age_ms": options.maxConnectionAgeMs, "grpc.max_connection_age_grace_ms": options.maxConnectionAgeMs }
      : {}),
  });
  for (const { definition, implementation } of services) server.addService(definition, implementation);
  const injector = server.createConnectionInjector(ServerCredentials.createInsecure());
  widenWindows(server);
  const guard = new ConnectionGuard(
    options.maxConnections,
    options.maxMessageBytes,
    (connection) => injector.injectConnection(connection),
    options.events,
  );
  await new Promise<void>((resolve, reject) => {
    guard.server.once("error", reject);
    guard.server.listen(options.port, options.host, () => {
      guard.server.off("error", reject);
      resolve();
    });
  });
  const address = guard.server.address();
  const port = typeof address === "object" && address !== null ? address.port : options.port;
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;
  return {
    port,
    authority: `${host}:${port}`,
    dropConnections: () => injector.drain(0),
    stop: (graceMs) =>
      new Promise<void>((resolve) => {
        guard.server.close();
        // grpc-js does not always call tryShutdown's callback once connections are cut, so the
        // forced path resolves on its own. Real time, not the emulator's clock: a stopped clock must not
        // hold stop() up.
        const force = setTimeout(() => {
          server.forceShutdown();
          guard.destroyAll();
          resolve();
        }, graceMs);
        server.tryShutdown(() => {
          clearTimeout(force);
          guard.destroyAll();
          resolve();
        });
      }),
  };
}

/**
 * Grants the larger windows on every session of the server's HTTP/2 server. grpc-js has no option for
 * a server's windows and keeps its HTTP/2 servers in a private map, read here; should a later grpc-js
 * not have it, sessions keep HTTP/2's defaults (slower, not wrong), and test/emulator/flow-control.test.ts fails.
 */
function widenWindows(server: Server): void {
  const http2Servers = (server as unknown as { http2Servers?: Map<Http2Server, unknown> }).http2Servers;
  if (!(http2Servers instanceof Map)) return;
  for (const http2Server of http2Servers.keys()) {
    http2Server.on("session", (session: ServerHttp2Session) => {
      // A throw here would surface in the listening socket's connection handler and end the process.
      if (session.destroyed) return;
      session.setLocalWindowSize(connectionWindowBytes);
      session.settings({ initialWindowSize: streamWindowBytes });
    });
  }
}
