import { Server, ServerCredentials, type ServiceDefinition, type UntypedServiceImplementation } from "@grpc/grpc-js";

/** How the grpc-js server listens. */
export interface ListenOptions {
  host: string;
  port: number;
  /** Largest message received or sent. */
  maxMessageBytes: number;
  /** GOAWAY connections older than this (calls in flight get as long again); `0` never does. */
  maxConnectionAgeMs: number;
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

/** Serves services on one grpc-js server bound to `host:port`. */
export async function listen(services: readonly ServedService[], options: ListenOptions): Promise<Listener> {
  const server = new Server({
    "grpc.max_receive_message_length": options.maxMessageBytes,
    "grpc.max_send_message_length": options.maxMessageBytes,
    // Calls in flight at the GOAWAY get as long again to finish: the fault is the GOAWAY, not lost calls.
    ...(options.maxConnectionAgeMs > 0
      ? { "grpc.max_connection_age_ms": options.maxConnectionAgeMs, "grpc.max_connection_age_grace_ms": options.maxConnectionAgeMs }
      : {}),
  });
  for (const { definition, implementation } of services) server.addService(definition, implementation);
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${host}:${options.port}`, ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound)));
  });
  const authority = `${host}:${port}`;
  return {
    port,
    authority,
    dropConnections: () => server.drain(authority, 0),
    stop: (graceMs) =>
      new Promise<void>((resolve) => {
        // grpc-js does not always call tryShutdown's callback once forceShutdown has cut the
        // connections, so the forced path resolves on its own.
        const force = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, graceMs);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      }),
  };
}
