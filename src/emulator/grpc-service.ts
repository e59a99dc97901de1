import { create, fromBinary, toBinary, type DescMessage, type DescService, type MessageInitShape, type MessageShape } from "@bufbuild/protobuf";
import type { handleUnaryCall, Metadata, MethodDefinition, ServerUnaryCall, ServiceDefinition, UntypedServiceImplementation } from "@grpc/grpc-js";
import { status as GrpcStatus } from "@grpc/grpc-js";
import { StatusError } from "./status.js";

/**
 * The grpc-js side of a protobuf-es service: grpc-js moves the bytes and HTTP/2 frames, protobuf-es
 * encodes the messages. The server stack is then independent of the Connect client it is tested against.
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
      requestDeserialize: deserializer(method.input),
      responseSerialize: serializer(method.output),
      responseDeserialize: deserializer(method.output),
      originalName: method.name,
    };
  }
  return definition;
}

type UnaryMethods<S extends DescService> = {
  [K in keyof S["method"]]: S["method"][K] extends { methodKind: "unary"; input: infer I extends DescMessage; output: infer O extends DescMessage }
    ? (request: MessageShape<I>, call: ServerUnaryCall<MessageShape<I>, MessageShape<O>>) => Promise<MessageInitShape<O>>
    : never;
};

/** Async handlers for every unary method of a service, keyed by the method's local (camelCase) name. */
export type UnaryHandlers<S extends DescService> = UnaryMethods<S>;

/**
 * Adapts async handlers to grpc-js callbacks. A StatusError becomes its status (details included); any
 * other exception becomes INTERNAL without its text, so a bug never leaks internals or kills the server.
 */
export function grpcImplementation<S extends DescService>(
  service: S,
  handlers: Partial<UnaryHandlers<S>>,
  onUnexpected: (error: unknown, method: string) => void = () => {},
): UntypedServiceImplementation {
  const impl: UntypedServiceImplementation = {};
  for (const method of service.methods) {
    const handler = (handlers as Record<string, ((req: unknown, call: ServerUnaryCall<unknown, unknown>) => Promise<unknown>) | undefined>)[method.localName];
    const unary: handleUnaryCall<unknown, unknown> = (call, callback) => {
      if (handler === undefined) {
        callback({ code: GrpcStatus.UNIMPLEMENTED, details: `${method.name} is not implemented by this server` });
        return;
      }
      handler(call.request, call).then(
        (value) => callback(null, create(method.output, value as MessageInitShape<DescMessage>)),
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

function serializer(schema: DescMessage): (value: unknown) => Buffer {
  return (value) => Buffer.from(toBinary(schema, value as MessageShape<DescMessage>));
}

// Keyed by the decoded message so a handler can learn its size on the wire without re-encoding it.
const encodedSizes = new WeakMap<object, number>();

function deserializer(schema: DescMessage): (bytes: Buffer) => unknown {
  return (bytes) => {
    const message = fromBinary(schema, bytes);
    encodedSizes.set(message, bytes.length);
    return message;
  };
}

/**
 * The size in bytes of a request as it arrived on the wire (before decoding), or undefined for a message
 * that did not come through a server built by grpcServiceDefinition.
 */
export function encodedRequestSize(request: object): number | undefined {
  return encodedSizes.get(request);
}

/** Reads a text metadata value, or undefined. */
export function metadataValue(metadata: Metadata, key: string): string | undefined {
  const value = metadata.get(key)[0];
  return typeof value === "string" ? value : undefined;
}
