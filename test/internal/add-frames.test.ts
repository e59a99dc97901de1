import { create, toBinary } from "@bufbuild/protobuf";
import { EmptySchema } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, type Interceptor, type Transport } from "@connectrpc/connect";
import { encodeEnvelope, type UniversalClientFn } from "@connectrpc/connect/protocol";
import { createTransport } from "@connectrpc/connect/protocol-grpc";
import { createGrpcTransport, createNodeHttpClient, Http2SessionManager } from "@connectrpc/connect-node";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { grpcServiceDefinition } from "../../src/emulator/grpc-service.js";
import { AddFrames } from "../../src/internal/wire/add-frames.js";
import { defaultConnectionOptions, openConnection } from "../../src/internal/transport/connection.js";
import { withFastPath } from "../support/fast-path.js";
import { FrameBuffers } from "../../src/internal/wire/frame-buffers.js";
import { BatchMgmt, PreencodedAddBatchRequestsRequestSchema } from "../../src/core/internal/wire.js";

const preencodedAdd = { ...BatchMgmt.method.addBatchRequests, input: PreencodedAddBatchRequestsRequestSchema };
const MiB = 1024 * 1024;

/** Each AddBatchRequests message as it arrived at a grpc-js server, still encoded. */
let received: Buffer[];
let server: grpc.Server;
let baseUrl: string;

beforeAll(async () => {
  server = new grpc.Server({ "grpc.max_receive_message_length": 64 * MiB });
  server.addService(grpcServiceDefinition(BatchMgmt), {
    addBatchRequests: (call: grpc.ServerUnaryCall<Buffer, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      received.push(Buffer.from(call.request));
      callback(null, create(EmptySchema));
    },
    getBatch: (_call: unknown, callback: grpc.sendUnaryData<unknown>) =>
      callback({ code: grpc.status.NOT_FOUND, details: "no batch here" }),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  );
  baseUrl = `http://127.0.0.1:${port}`;
});

afterAll(() => {
  server.forceShutdown();
});

/** A chunk the stream was handed: a copy of its bytes, and the memory it was written from. */
interface Written {
  readonly bytes: Buffer;
  readonly memory: ArrayBufferLike;
}

/**
 * A gRPC transport with AddFrames, as the library's own connection has it, whose HTTP client records every
 * chunk it writes to the stream.
 */
function framedTransport(options: { writeMaxBytes?: number; interceptors?: Interceptor[] } = {}) {
  const sessions = new Http2SessionManager(baseUrl);
  const writes: Written[] = [];
  const http = createNodeHttpClient({ httpVersion: "2", sessionProvider: () => sessions });
  const recording: UniversalClientFn = (req) => http({ ...req, body: req.body && recorded(req.body, writes) });
  const writeMaxBytes = options.writeMaxBytes ?? 64 * MiB;
  const frames = new AddFrames(new FrameBuffers(), writeMaxBytes);
  const transport = createTransport({
    baseUrl,
    httpClient: frames.httpClient(recording),
    useBinaryFormat: true,
    sendCompression: null,
    acceptCompression: [],
    compressMinBytes: 1024,
    readMaxBytes: 64 * MiB,
    writeMaxBytes,
    interceptors: [...(options.interceptors ?? []), frames.interceptor],
  });
  return { transport, writes, close: () => sessions.abort() };
}

async function* recorded(body: AsyncIterable<Uint8Array>, writes: Written[]): AsyncIterable<Uint8Array> {
  for await (const chunk of body) {
    writes.push({ bytes: Buffer.from(chunk), memory: chunk.buffer });
    yield chunk;
  }
}

function add(transport: Transport, batchId: string, batchRequests: Uint8Array[]) {
  return transport.unary(preencodedAdd, undefined, 10_000, undefined, { batchId, batchRequests });
}

/** The frame Connect makes of the message: toBinary, then its envelope. */
function connectFrame(batchId: string, batchRequests: Uint8Array[]): Buffer {
  return Buffer.from(
    encodeEnvelope(
      0,
      toBinary(PreencodedAddBatchRequestsRequestSchema, create(PreencodedAddBatchRequestsRequestSchema, { batchId, batchRequests })),
    ),
  );
}

const requests = (count: number, bytes: number, fill: number) =>
  Array.from({ length: count }, (_, i) => new Uint8Array(bytes + (i % 3)).fill(fill));

describe("AddFrames", () => {
  it("sends the server the bytes Connect's own path sends, as one chunk", async () => {
    const framed = framedTransport();
    const sessions = new Http2SessionManager(baseUrl);
    const general = createGrpcTransport({ baseUrl, sessionManager: sessions });
    try {
      for (const batchRequests of [requests(3, 10, 1), requests(4000, 330, 2), [new Uint8Array(0), new Uint8Array(200_000).fill(3)], []]) {
        received = [];
        framed.writes.length = 0;
        await add(framed.transport, "batch-é", batchRequests);
        await add(general, "batch-é", batchRequests);
        expect(received).toHaveLength(2);
        expect(received[0]!.equals(received[1]!)).toBe(true);
        expect(framed.writes).toHaveLength(1);
        expect(framed.writes[0]!.bytes.equals(connectFrame("batch-é", batchRequests))).toBe(true);
      }
    } finally {
      framed.close();
      sessions.abort();
    }
  });

  // Off, the connection is Connect's own transport (fast-path.ts).
  it.each([true, false])(
    "is what the library's own connection sends: the same bytes as Connect's own transport (fast path on: %s)",
    async (on) => {
      const own = withFastPath(on, () => openConnection({ ...defaultConnectionOptions, baseUrl }));
      const sessions = new Http2SessionManager(baseUrl);
      const general = createGrpcTransport({ baseUrl, sessionManager: sessions });
      try {
        received = [];
        const batchRequests = requests(5000, 400, 9);
        await add(own.transport, "batch-1", batchRequests);
        await add(general, "batch-1", batchRequests);
        expect(received[0]!.equals(received[1]!)).toBe(true);
      } finally {
        own.close();
        sessions.abort();
      }
    },
  );

  it("writes the next call from the memory of the last once it was written, and never one memory for two calls at once", async () => {
    const framed = framedTransport();
    try {
      received = [];
      await add(framed.transport, "b", requests(700, 3000, 4)); // ~2 MiB: pooled
      await add(framed.transport, "b", requests(690, 3000, 5));
      expect(framed.writes[1]!.memory).toBe(framed.writes[0]!.memory);

      await Promise.all([add(framed.transport, "b", requests(700, 3000, 6)), add(framed.transport, "b", requests(700, 3000, 7))]);
      expect(framed.writes[3]!.memory).not.toBe(framed.writes[2]!.memory);
      // Each call arrived whole, with its own requests, though two were written side by side.
      const fills = [4, 5, 6, 7].map((fill, i) => connectFrame("b", requests(i === 1 ? 690 : 700, 3000, fill)).subarray(5));
      expect(received.map((r) => fills.findIndex((f) => f.equals(r))).sort()).toEqual([0, 1, 2, 3]);
    } finally {
      framed.close();
    }
  });

  it("frames the message as the caller's interceptors left it, and leaves other calls to Connect", async () => {
    const extra = new Uint8Array([0x0a, 0x01, 0x78]);
    const appendOne: Interceptor = (next) => (req) => {
      if (!req.stream && req.method.name === "AddBatchRequests")
        (req.message as unknown as { batchRequests: Uint8Array[] }).batchRequests.push(extra);
      return next(req);
    };
    const framed = framedTransport({ interceptors: [appendOne] });
    try {
      received = [];
      await add(framed.transport, "b", requests(2, 5, 1));
      expect(received[0]!.equals(connectFrame("b", [...requests(2, 5, 1), extra]).subarray(5))).toBe(true);
      const get = framed.transport.unary(BatchMgmt.method.getBatch, undefined, 10_000, undefined, { batchId: "b" });
      await expect(get).rejects.toMatchObject({ code: Code.NotFound });
    } finally {
      framed.close();
    }
  });

  it("leaves a message with unknown fields to Connect, which sends them too", async () => {
    const framed = framedTransport();
    try {
      received = [];
      const message = create(PreencodedAddBatchRequestsRequestSchema, { batchId: "b", batchRequests: requests(2, 5, 1) });
      message.$unknown = [{ no: 9, wireType: 0, data: new Uint8Array([0x01]) }];
      await framed.transport.unary(preencodedAdd, undefined, 10_000, undefined, message);
      expect(received[0]!.equals(Buffer.from(toBinary(PreencodedAddBatchRequestsRequestSchema, message)))).toBe(true);
    } finally {
      framed.close();
    }
  });

  it("refuses a message above writeMaxBytes as Connect does, sending nothing", async () => {
    const framed = framedTransport({ writeMaxBytes: 1000 });
    const sessions = new Http2SessionManager(baseUrl);
    const general = createGrpcTransport({ baseUrl, writeMaxBytes: 1000, sessionManager: sessions });
    try {
      received = [];
      const [ours, connects] = await Promise.all(
        [framed.transport, general].map((t) =>
          add(t, "b", requests(3, 400, 1)).then(
            () => new Error("sent"),
            (error: unknown) => error,
          ),
        ),
      );
      expect(ours).toBeInstanceOf(ConnectError);
      expect({ code: (ours as ConnectError).code, message: (ours as ConnectError).message }).toEqual({
        code: (connects as ConnectError).code,
        message: (connects as ConnectError).message,
      });
      expect((ours as ConnectError).code).toBe(Code.ResourceExhausted);
      expect(received).toHaveLength(0);
    } finally {
      framed.close();
      sessions.abort();
    }
  });
});
