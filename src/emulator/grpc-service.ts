import {
  create,
  fromBinary,
  toBinary,
  type DescMessage,
  type DescService,
  type MessageInitShape,
  type MessageShape,
} from "@bufbuild/protobuf";
import type {
  handleUnaryCall,
  Metadata,
  MethodDefinition,
  sendUnaryData,
  ServerUnaryCall,
  ServiceDefinition,
  UntypedHandleCall,
  UntypedServiceImplementation,
} from "@grpc/grpc-js";
import { status as GrpcStatus } from "@grpc/grpc-js";
import { StatusError } from "./status.js";

/**
 * The grpc-js side of a protobuf-es service: grpc-js moves the bytes and HTTP/2 frames, protobuf-es
 * encodes the messages. The server stack is then independent of the Connect client it is tested against.
 * A server built on it receives unary requests as raw bytes, so a handler can refuse a call on cheap
 * checks (authentication, sizes) before paying for decoding; clients built on it decode as usual.
 */
export function grpcServiceDefinition(service: DescService): ServiceDefinition {
  const definition: Record<string, MethodDefinition<unknown, unknown>> = {};
  for (const method of service.methods) {
    if (method.methodKind === "bidi_streaming") throw new Error(`bidirectional streaming is not served, and ${method.name} is`);
    definition[method.localName] = {
      path: `/${service.typeName}/${method.name}`,
      requestStream: method.methodKind === "client_streaming",
      responseStream: method.methodKind === "server_streaming",
      requestSerialize: serializer(method.input),
      // Unary requests arrive raw, for the handler to check before decoding; streamed ones as messages.
      requestDeserialize: method.methodKind === "unary" ? (bytes: Buffer) => bytes : deserializer(method.input),
      responseSerialize: serializer(method.output),
      responseDeserialize: deserializer(method.output),
      originalName: method.name,
    };
  }
  return definition;
}

type UnaryMethods<S extends DescService> = {
  [K in keyof S["method"]]: S["method"][K] extends {
    methodKind: "unary";
    input: infer I extends DescMessage;
    output: infer O extends DescMessage;
  }
    ? (request: MessageShape<I>, call: ServerUnaryCall<MessageShape<I>, MessageShape<O>>) => Promise<MessageInitShape<O>>
    : never;
};

/** Async handlers for every unary method of a service, keyed by the method's local (camelCase) name. */
export type UnaryHandlers<S extends DescService> = UnaryMethods<S>;

/** A call as a raw handler gets it: the request still encoded, as it came off the wire. */
export type RawCall = ServerUnaryCall<Buffer, unknown>;

/**
 * Async handlers that receive the encoded request and decode it themselves (see decodeRequest). One may
 * answer with the response already encoded (a Uint8Array), e.g. a page assembled from stored bytes.
 */
export type RawUnaryHandlers<S extends DescService> = {
  [K in keyof S["method"]]: S["method"][K] extends { methodKind: "unary"; output: infer O extends DescMessage }
    ? (bytes: Buffer, call: RawCall) => Promise<MessageInitShape<O> | Uint8Array>
    : never;
};

/** Adapts handlers of decoded requests to grpcRawImplementation: they decode first, whatever the call. */
export function grpcImplementation<S extends DescService>(
  service: S,
  handlers: Partial<UnaryHandlers<S>>,
  onUnexpected: (error: unknown, method: string) => void = () => {},
): UntypedServiceImplementation {
  const raw: Record<string, (bytes: Buffer, call: RawCall) => Promise<unknown>> = {};
  for (const method of service.methods) {
    const handler = (handlers as Record<string, ((req: unknown, call: RawCall) => Promise<unknown>) | undefined>)[method.localName];
    if (handler !== undefined) raw[method.localName] = async (bytes, call) => handler(decodeRequest(method.input, bytes), call);
  }
  return grpcRawImplementation(service, raw as Partial<RawUnaryHandlers<S>>, onUnexpected);
}

/**
 * Adapts async raw handlers to grpc-js callbacks. A StatusError becomes its status (details included); any
 * other exception becomes INTERNAL without its text, so a bug never leaks internals or kills the server.
 */
export function grpcRawImplementation<S extends DescService>(
  service: S,
  handlers: Partial<RawUnaryHandlers<S>>,
  onUnexpected: (error: unknown, method: string) => void = () => {},
): UntypedServiceImplementation {
  const impl: UntypedServiceImplementation = {};
  for (const method of service.methods) {
    const handler = (handlers as Record<string, ((bytes: Buffer, call: RawCall) => Promise<unknown>) | undefined>)[method.localName];
    const unary: handleUnaryCall<Buffer, unknown> = (call, callback) => {
      if (handler === undefined) {
        callback({ code: GrpcStatus.UNIMPLEMENTED, details: `${method.name} is not implemented by this server` });
        return;
      }
      handler(call.request, call).then(
        (value) => callback(null, value instanceof Uint8Array ? value : create(method.output, value as MessageInitShape<DescMessage>)),
        (error: unknown) => {
          if (error instanceof StatusError) {
            callback(error.toServiceError());
          } else {
            onUnexpected(error, method.name);
            callback({ code: GrpcStatus.INTERNAL, details: `internal error in ${method.name}` });
          }
        },
      );
    };
    impl[method.localName] = unary;
  }
  return impl;
}

/**
 * Follows each call of an implementation from its arrival (`started`) until it is answered (the function
 * `started` returned): the calls answered through a callback, unary and client-streaming ones. A
 * server-streaming call (a download) answers as it streams, and is not followed.
 */
export function followCalls(implementation: UntypedServiceImplementation, started: () => () => void): UntypedServiceImplementation {
  const followed: UntypedServiceImplementation = {};
  for (const [name, handler] of Object.entries(implementation)) {
    const handle = handler as (call: unknown, callback?: sendUnaryData<unknown>) => void;
    followed[name] = ((call: unknown, callback?: sendUnaryData<unknown>) => {
      if (typeof callback !== "function") return handle(call);
      const answered = started();
      try {
        handle(call, (...args) => {
          try {
            callback(...args);
          } finally {
            answered();
          }
        });
      } catch (error) {
        answered();
        throw error;
      }
    }) as UntypedHandleCall;
  }
  return followed;
}

/**
 * Decodes a request that passed the cheap checks. Unknown fields are dropped rather than kept, so a body
 * stuffed with them costs no memory; bytes that are not the message answer INTERNAL, as grpc-js does.
 * `name` is the request's name in that error, for a message decoded through another view of its bytes.
 */
export function decodeRequest<D extends DescMessage>(schema: D, bytes: Uint8Array, name = schema.name): MessageShape<D> {
  try {
    return fromBinary(schema, bytes, { readUnknownFields: false });
  } catch (error) {
    throw new StatusError(
      GrpcStatus.INTERNAL,
      `cannot decode the ${name} request: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

// A response a raw handler encoded itself goes out as it is.
function serializer(schema: DescMessage): (value: unknown) => Buffer {
  return (value) => {
    if (value instanceof Uint8Array) return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    return Buffer.from(toBinary(schema, value as MessageShape<DescMessage>));
  };
}

function deserializer(schema: DescMessage): (bytes: Buffer) => unknown {
  return (bytes) => fromBinary(schema, bytes);
}

/** Reads a text metadata value, or undefined. */
export function metadataValue(metadata: Metadata, key: string): string | undefined {
  const value = metadata.get(key)[0];
  return typeof value === "string" ? value : undefined;
}

/** The size of metadata as HTTP/2 counts a header list: names and values plus 32 bytes per entry. */
export function metadataBytes(metadata: Metadata): number {
  let bytes = 0;
  for (const [key, values] of Object.entries(metadata.toJSON())) {
    for (const value of values) bytes += key.length + value.length + 32;
  }
  return bytes;
}
