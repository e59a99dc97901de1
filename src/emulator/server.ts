import { Server, ServerCredentials, type ServiceDefinition, type UntypedServiceImplementation } from "@grpc/grpc-js";
import { ConnectionGuard, type ConnectionEvents } from "./connections.js";

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
  const guard = new ConnectionGuard(options.maxConnections, options.maxMessageBytes, (connection) => injector.injectConnection(connection), options.events);
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
        // forced path resolves on its own.
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
