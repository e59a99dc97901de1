import { create, fromBinary, type DescMessage, type MessageInitShape, type MessageShape } from "@bufbuild/protobuf";
import { anyUnpack } from "@bufbuild/protobuf/wkt";
import { connect, constants, type ClientHttp2Session } from "node:http2";
import { connectivityState, credentials, makeGenericClientConstructor, Metadata, type Client, type ServiceError } from "@grpc/grpc-js";
import { afterEach } from "vitest";
import { startEmulator, type Emulator, type EmulatorOptions } from "../../src/emulator/index.js";
import { grpcServiceDefinition } from "../../src/emulator/grpc-service.js";
import {
  BatchMgmt,
  BatchRequestSchema,
  MessageRole,
  RetryInfoSchema,
  StatusSchema,
  type BatchRequest,
} from "../../src/core/internal/wire.js";

type Methods = typeof BatchMgmt.method;
type Input<K extends keyof Methods> = Methods[K]["input"];
type Output<K extends keyof Methods> = Methods[K]["output"];

const BatchMgmtClient = makeGenericClientConstructor(grpcServiceDefinition(BatchMgmt), "BatchMgmt");

/** A promise-based bare grpc-js client of BatchMgmt that sends `authorization: Bearer <apiKey>`. */
export class TestClient {
  readonly raw: Client;

  constructor(
    url: string,
    /** `null` sends no authorization. */
    private readonly apiKey: string | null = "test-key",
    options: Record<string, unknown> = {},
  ) {
    this.raw = new BatchMgmtClient(url.replace(/^http:\/\//, ""), credentials.createInsecure(), options);
  }

  /** Calls `method`; rejects with the grpc-js ServiceError. */
  call<K extends keyof Methods>(
    method: K,
    request: MessageInitShape<Input<K>>,
    metadata: Metadata = this.metadata(),
  ): Promise<MessageShape<Output<K>>> {
    const schema = BatchMgmt.method[method].input as DescMessage;
    const message = create(schema, request as MessageInitShape<DescMessage>);
    return new Promise((resolve, reject) => {
      const fn = (this.raw as unknown as Record<string, (...args: unknown[]) => unknown>)[method]!;
      fn.call(
        this.raw,
        message,
        metadata,
        { deadline: Date.now() + 10_000 },
        (error: ServiceError | null, response: MessageShape<Output<K>>) => (error ? reject(error) : resolve(response)),
      );
    });
  }

  /** The metadata of this client's key, or none. */
  metadata(apiKey = this.apiKey): Metadata {
    const metadata = new Metadata();
    if (apiKey !== null) metadata.set("authorization", `Bearer ${apiKey}`);
    return metadata;
  }

  close(): void {
    this.raw.close();
  }
}

/** What `useEmulators().withBatch` gives: an emulator, a client, and a batch of that client's team. */
export interface EmulatorWithBatch {
  emu: Emulator;
  client: TestClient;
  batchId: string;
}

/** Starts emulators and clients that are stopped and closed after each test. */
export function useEmulators(): {
  start(options?: Partial<EmulatorOptions>): Promise<Emulator>;
  client(emulator: Emulator, apiKey?: string | null, options?: Record<string, unknown>): TestClient;
  /** An emulator (processing paused unless `options` say otherwise), a client and one batch. */
  withBatch(options?: Partial<EmulatorOptions>): Promise<EmulatorWithBatch>;
} {
  const emulators: Emulator[] = [];
  const clients: TestClient[] = [];
  const unexpected: unknown[] = [];
  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    await Promise.all(emulators.splice(0).map((e) => e.stop()));
    if (unexpected.length > 0) throw new Error("the emulator had unexpected errors", { cause: unexpected.splice(0) });
  });
  const start = async (options: Partial<EmulatorOptions> = {}) => {
    const emulator = await startEmulator({
      onUnexpectedError: (error) => unexpected.push(error),
      ...options,
      // Tests create batches freely unless they test that limit.
      limits: { createIntervalMs: 0, ...options.limits },
    });
    emulators.push(emulator);
    return emulator;
  };
  const client = (emulator: Emulator, apiKey?: string | null, options?: Record<string, unknown>) => {
    const created = new TestClient(emulator.url, apiKey, options);
    clients.push(created);
    return created;
  };
  const withBatch = async (options: Partial<EmulatorOptions> = {}) => {
    const emu = await start({ processing: { requestsPerSecond: 0 }, ...options });
    const test = client(emu);
    const { batchId } = await test.call("createBatch", { name: "b" });
    return { emu, client: test, batchId };
  };
  return { start, client, withBatch };
}

/** The error a promise rejects with; fails when it resolves. */
export async function failure(promise: Promise<unknown>): Promise<ServiceError> {
  try {
    await promise;
  } catch (error) {
    return error as ServiceError;
  }
  throw new Error("expected the call to fail");
}

/** The google.rpc detail of type `schema` in an error's `grpc-status-details-bin`, or undefined. */
export function detail<D extends DescMessage>(error: ServiceError, schema: D): MessageShape<D> | undefined {
  const bin = error.metadata.get("grpc-status-details-bin")[0];
  if (bin === undefined) return undefined;
  const status = fromBinary(StatusSchema, bin as Buffer);
  for (const any of status.details) {
    const unpacked = anyUnpack(any, schema);
    if (unpacked !== undefined) return unpacked;
  }
  return undefined;
}

/** The delay of an error's RetryInfo in milliseconds, or undefined. */
export function retryDelayMs(error: ServiceError): number | undefined {
  const info = detail(error, RetryInfoSchema);
  if (info?.retryDelay === undefined) return undefined;
  return Number(info.retryDelay.seconds) * 1000 + info.retryDelay.nanos / 1e6;
}

/** A chat completion batch request asking `text` of `model`. */
export function chat(id: string | undefined, text: string, model = "grok-4"): BatchRequest {
  return create(BatchRequestSchema, {
    batchRequestId: id,
    request: {
      case: "completionRequest",
      value: { model, messages: [{ role: MessageRole.ROLE_USER, content: [{ content: { case: "text", value: text } }] }] },
    },
  });
}

/** `count` chat requests with ids `${prefix}0`, `${prefix}1`, ... */
export function chats(count: number, prefix = "r"): BatchRequest[] {
  return Array.from({ length: count }, (_, i) => chat(`${prefix}${i}`, `question ${i}`));
}

/** Resolves once the client's channel leaves READY: the server sent GOAWAY or cut its connection. */
export function connectionLost(client: TestClient): Promise<void> {
  const channel = client.raw.getChannel();
  return new Promise((resolve) => {
    const watch = () => {
      const state = channel.getConnectivityState(false);
      if (state !== connectivityState.READY) resolve();
      else channel.watchConnectivityState(state, Infinity, watch);
    };
    watch();
  });
}

/** Sends one gRPC request whose body is `body` as-is (over node:http2) and returns the grpc-status trailer. */
export function rawCall(
  url: string,
  path: string,
  body: Buffer,
  authorization: string | null = "Bearer k",
): Promise<{ grpcStatus: string | undefined; grpcMessage: string | undefined }> {
  return new Promise((resolve, reject) => {
    const session: ClientHttp2Session = connect(url);
    session.on("error", reject);
    const stream = session.request({
      [constants.HTTP2_HEADER_METHOD]: "POST",
      [constants.HTTP2_HEADER_PATH]: path,
      [constants.HTTP2_HEADER_CONTENT_TYPE]: "application/grpc",
      te: "trailers",
      ...(authorization === null ? {} : { authorization }),
    });
    let headers: Record<string, unknown> = {};
    stream.on("response", (h) => (headers = h));
    stream.on("trailers", (trailers) => {
      resolve({ grpcStatus: String(trailers["grpc-status"]), grpcMessage: decodeMessage(trailers["grpc-message"]) });
    });
    stream.on("data", () => {});
    stream.on("end", () => {
      // A trailers-only response carries the status in the headers.
      resolve({ grpcStatus: headers["grpc-status"] as string | undefined, grpcMessage: decodeMessage(headers["grpc-message"]) });
      session.close();
    });
    stream.on("error", reject);
    stream.end(body);
  });
}

// grpc-message is percent-encoded on the wire.
function decodeMessage(value: unknown): string | undefined {
  return typeof value === "string" ? decodeURIComponent(value) : undefined;
}

/** A gRPC length-prefixed message; `declaredLength` may lie about its length. */
export function grpcFrame(message: Buffer, declaredLength = message.length): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt32BE(declaredLength, 1);
  return Buffer.concat([header, message]);
}

/** An HTTP/2 frame as bytes (RFC 9113 §4.1), for tests that speak HTTP/2 by hand. */
export function http2Frame(type: number, flags: number, streamId: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const header = Buffer.alloc(9);
  header.writeUIntBE(payload.length, 0, 3);
  header[3] = type;
  header[4] = flags;
  header.writeUInt32BE(streamId, 5);
  return Buffer.concat([header, payload]);
}
