import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { EmptySchema } from "@bufbuild/protobuf/wkt";
import type { Interceptor } from "@connectrpc/connect";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { grpcServiceDefinition } from "../src/emulator/grpc-service.js";
import { Client, user, type ChatRequest } from "../src/index.js";
import { AddBatchRequestsRequestSchema, BatchMgmt, BatchRequestSchema, PreencodedAddBatchRequestsRequestSchema } from "../src/wire.js";

// An add reuses the memory of its finished calls' requests for the requests it reads next (src/internal/
// byte-arena.ts). These adds are many times larger than the memory they may keep in flight, so that memory
// is used again several times over; what the server receives, and what a caller's interceptor saw, must
// still be exactly the requests given.

/** Each request the server applied, encoded, by id. */
let applied: Map<string, Buffer>;
let attempts: number;
let server: grpc.Server;
let baseUrl: string;

beforeAll(async () => {
  server = new grpc.Server();
  server.addService(grpcServiceDefinition(BatchMgmt), {
    addBatchRequests: (call: grpc.ServerUnaryCall<Buffer, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      // Every third attempt is refused before it is applied, so calls are sent again from the bytes add holds.
      // The refusal comes a little later, while the add reads on and writes the next calls.
      if (++attempts % 3 === 0) return void setTimeout(() => callback({ code: grpc.status.UNAVAILABLE, details: "try again" }), 20);
      for (const r of fromBinary(AddBatchRequestsRequestSchema, call.request).batchRequests) {
        expect(applied.has(r.batchRequestId!)).toBe(false);
        applied.set(r.batchRequestId!, Buffer.from(toBinary(BatchRequestSchema, r)));
      }
      callback(null, create(EmptySchema));
    },
    getBatch: (_call: unknown, callback: grpc.sendUnaryData<unknown>) => callback({ code: grpc.status.NOT_FOUND, details: "new batch" }),
  });
  const port = await new Promise<number>((resolve, reject) => server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
  baseUrl = `http://127.0.0.1:${port}`;
});

afterAll(() => {
  server.forceShutdown();
});

beforeEach(() => {
  applied = new Map();
  attempts = 0;
});

/** A client whose calls span a few of the encoder's 256 KiB chunks, retried fast. */
function client(interceptors?: Interceptor[]): Client {
  return new Client({
    apiKey: "k",
    baseUrl,
    interceptors,
    limits: { maxAddBytes: 1024 * 1024, addCallsPerWindow: 100_000, addWindowMs: 1_000 },
    retry: { transientBackoff: { initialMs: 1, maxMs: 5, multiplier: 2 } },
  });
}

/** Request `i`, ~300 bytes of text that differ from every other request's. */
function request(c: Client, i: number, withId: boolean): ChatRequest {
  return c.chat.create("grok-4", withId ? { batchRequestId: `r${i}` } : {}).append(user(`${i} `.repeat(60)));
}

async function* requests(c: Client, n: number, withId: (i: number) => boolean): AsyncGenerator<ChatRequest> {
  for (let i = 0; i < n; i++) yield request(c, i, withId(i));
}

/** What the server holds, decoded to the text of each request, against what was given. */
function expectAppliedAsGiven(c: Client, n: number, withId: (i: number) => boolean): void {
  expect(applied.size).toBe(n);
  const byText = new Map([...applied].map(([id, bytes]) => [textOf(bytes), { id, bytes }]));
  for (let i = 0; i < n; i++) {
    const expected = request(c, i, withId(i)).toBatchRequest();
    const got = byText.get(`${i} `.repeat(60));
    expect(got, `request ${i}`).toBeDefined();
    if (!withId(i)) expected.batchRequestId = got!.id;
    expect(got!.bytes.equals(toBinary(BatchRequestSchema, expected)), `request ${i}`).toBe(true);
  }
}

function textOf(bytes: Uint8Array): string {
  const r = fromBinary(BatchRequestSchema, bytes);
  const content = r.request.case === "completionRequest" ? r.request.value.messages[0]?.content[0]?.content : undefined;
  return content?.case === "text" ? content.value : "";
}

it("applies every request as given while finished calls' memory takes the next ones, retried calls included", async () => {
  const n = 20_000;
  // Ids given, automatic, and both mixed: the encoder's two kinds of memory, and their neighbours in one call.
  for (const withId of [() => true, () => false, (i: number) => i % 7 < 3]) {
    applied = new Map();
    const c = client();
    const result = await c.batch.add("batch-1", requests(c, n, withId));
    c.close();
    expect(result.requestsAdded).toBe(n);
    expect(result.retries).toBeGreaterThan(0);
    expectAppliedAsGiven(c, n, withId);
  }
}, 60_000);

it("never writes again into a request a caller's interceptor was shown", async () => {
  const shown: { view: Uint8Array; copy: Buffer }[] = [];
  const keep: Interceptor = (next) => (req) => {
    if (!req.stream && req.method.input === PreencodedAddBatchRequestsRequestSchema) {
      for (const view of (req.message as unknown as { batchRequests: Uint8Array[] }).batchRequests) shown.push({ view, copy: Buffer.from(view) });
    }
    return next(req);
  };
  const n = 20_000;
  const c = client([keep]);
  await c.batch.add("batch-1", requests(c, n, () => true));
  c.close();
  expectAppliedAsGiven(c, n, () => true);
  expect(shown.length).toBeGreaterThan(n);
  expect(shown.filter((s) => !s.copy.equals(s.view)).length).toBe(0);
}, 60_000);
