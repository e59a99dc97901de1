import * as grpc from "@grpc/grpc-js";
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import type { Socket } from "node:net";
import { grpcImplementation, grpcServiceDefinition, type UnaryHandlers } from "../../src/emulator/grpc-service.js";
import { BatchMgmt } from "../../src/core/internal/wire.js";
import { Conditions } from "./conditions.js";

/** One call as the server saw it. */
export interface SeenCall {
  method: string;
  metadata: Record<string, string>;
  /** Milliseconds between arrival and the deadline the client sent, or undefined when it sent none. */
  deadlineMs: number | undefined;
  request: unknown;
}

export interface TestServer {
  readonly url: string;
  readonly port: number;
  readonly calls: SeenCall[];
  /** Replaces the handlers for the next calls. */
  handle(handlers: Partial<UnaryHandlers<typeof BatchMgmt>>): void;
  /** Resolves once `calls` holds `count` calls (a test may empty it between cases). */
  arrived(count: number): Promise<void>;
  /** Resolves once every connection this process had open to the server is closed on the client's side. */
  disconnected(): Promise<void>;
  /** Closes every connection abruptly and serves again on the same port. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A scriptable BatchMgmt server on grpc-js (not Connect), on loopback and an ephemeral port: each test
 * sets the handlers it needs and reads back what arrived, so the client is proven against an
 * independent gRPC stack.
 */
export async function startTestServer(
  handlers: Partial<UnaryHandlers<typeof BatchMgmt>> = {},
  options: grpc.ServerOptions = {},
): Promise<TestServer> {
  const calls: SeenCall[] = [];
  const arrivals = new Conditions();
  let current = handlers;
  const recording = {} as Record<string, unknown>;
  for (const method of BatchMgmt.methods) {
    recording[method.localName] = (request: unknown, call: grpc.ServerUnaryCall<unknown, unknown>) => {
      const deadline = call.getDeadline();
      const deadlineMs =
        deadline instanceof Date ? deadline.getTime() - Date.now() : Number.isFinite(deadline) ? Number(deadline) - Date.now() : undefined;
      const metadata: Record<string, string> = {};
      for (const [key, value] of Object.entries(call.metadata.getMap())) metadata[key] = String(value);
      calls.push({ method: method.name, metadata, deadlineMs, request });
      arrivals.recheck();
      const handler = (current as Record<string, ((r: unknown, c: unknown) => Promise<unknown>) | undefined>)[method.localName];
      if (handler === undefined) return Promise.reject(new Error(`test server has no handler for ${method.name}`));
      return handler(request, call);
    };
  }
  const opts: grpc.ServerOptions = { "grpc.max_receive_message_length": 64 * 1024 * 1024, ...options };
  let server = new grpc.Server(opts);
  const definition = grpcServiceDefinition(BatchMgmt);
  const implementation = grpcImplementation(BatchMgmt, recording as Partial<UnaryHandlers<typeof BatchMgmt>>);
  const bind = (s: grpc.Server, port: number) =>
    new Promise<number>((resolve, reject) => {
      s.addService(definition, implementation);
      s.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (err, bound) => (err ? reject(err) : resolve(bound)));
    });
  const port = await bind(server, 0);
  // The client's own sockets, seen as Node opens them: only they tell when the client has seen a connection go.
  const open = new Set<Socket>();
  const closes = new Conditions();
  const onClientSocket = (message: unknown) => {
    const socket = (message as { socket: Socket }).socket;
    socket.once("connect", () => {
      if (socket.remotePort !== port) return;
      open.add(socket);
      socket.once("close", () => {
        open.delete(socket);
        closes.recheck();
      });
    });
  };
  subscribe("net.client.socket", onClientSocket);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    calls,
    handle(next) {
      current = next;
    },
    arrived: (count) => arrivals.when(() => calls.length >= count),
    disconnected: () => closes.when(() => open.size === 0),
    async restart() {
      server.forceShutdown();
      server = new grpc.Server(opts);
      await bind(server, port);
    },
    stop: () =>
      new Promise<void>((resolve) => {
        unsubscribe("net.client.socket", onClientSocket);
        server.forceShutdown();
        resolve();
      }),
  };
}

/** A handler's answer that never comes: it settles, as a failure nobody reads, once the client gives up on the call. */
export function untilCancelled(call: grpc.ServerUnaryCall<unknown, unknown>): Promise<never> {
  return new Promise((_, reject) => {
    const gone = () => reject(new Error("the client cancelled the call"));
    if (call.cancelled) gone();
    else call.once("cancelled", gone);
  });
}
