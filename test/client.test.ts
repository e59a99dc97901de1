import { create, toBinary } from "@bufbuild/protobuf";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { status } from "@grpc/grpc-js";
import { inspect } from "node:util";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { StatusError, retryInfo } from "../src/emulator/status.js";
import { ApiError, Client, Code, InputError, LIBRARY_VERSION, user } from "../src/index.js";
import {
  AddBatchRequestsRequestSchema,
  BadRequestSchema,
  BatchRequestMetadata_State,
  BatchSchema,
  ErrorInfoSchema,
  QuotaFailureSchema,
  type AddBatchRequestsRequest,
  type ListBatchRequestMetadataRequest,
} from "../src/core/internal/wire.js";
import { startTestServer, untilCancelled, type TestServer } from "./support/test-server.js";

const apiKey = "xai-secret-key-3f9a7c21d8";
let server: TestServer;
let client: Client;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.stop();
});
beforeEach(() => {
  server.calls.length = 0;
  client = new Client({ apiKey, baseUrl: server.url });
  return () => client.close();
});
afterEach(() => {
  vi.useRealTimers();
});

const batch = (batchId: string) => create(BatchSchema, { batchId, name: "n" });

describe("metadata and deadlines", () => {
  beforeEach(() => server.handle({ getBatch: async (req) => batch(req.batchId) }));

  it("sends the API key, the library's user-agent and a fresh request id on every call", async () => {
    await client.batch.get("b1");
    await client.batch.get("b1");
    const [first, second] = server.calls;
    expect(first?.metadata.authorization).toBe(`Bearer ${apiKey}`);
    expect(first?.metadata["user-agent"]).toContain(`xai-batch/${LIBRARY_VERSION}`);
    expect(first?.metadata["x-xai-sdk"]).toBe(`xai-batch/${LIBRARY_VERSION}`);
    expect(first?.metadata["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(second?.metadata["x-request-id"]).not.toBe(first?.metadata["x-request-id"]);
  });

  it("adds the client's and the call's custom metadata", async () => {
    const c = new Client({ apiKey, baseUrl: server.url, metadata: { "x-team": "search" } });
    await c.batch.get("b1", { metadata: { "x-trace": "t-1" } });
    c.close();
    expect(server.calls[0]?.metadata).toMatchObject({ "x-team": "search", "x-trace": "t-1" });
  });

  it("sends each RPC's default deadline as grpc-timeout, and lets the client and the call override it", async () => {
    vi.useFakeTimers({ toFake: ["Date"] }); // one clock for client and server, standing still: each deadline arrives whole
    await client.batch.get("b1");
    const c = new Client({ apiKey, baseUrl: server.url, timeoutMs: 7_000 });
    await c.batch.get("b1");
    await c.batch.get("b1", { timeoutMs: 2_000 });
    await c.batch.get("b1", { timeoutMs: 0 });
    c.close();
    expect(server.calls.map((call) => call.deadlineMs)).toEqual([30_000, 7_000, 2_000, undefined]);
  });

  it("fails with DEADLINE_EXCEEDED when the server does not answer within the deadline", async () => {
    server.handle({ getBatch: (_req, call) => untilCancelled(call) });
    const error = await client.batch.get("b1", { timeoutMs: 100 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe(Code.DeadlineExceeded);
    expect((error as ApiError).method).toBe("GetBatch");
  });

  it("stops a call when its signal aborts, on the server too", async () => {
    const controller = new AbortController();
    let cancelledOnServer: Promise<unknown> | undefined;
    server.handle({
      getBatch: (_req, call) => {
        const answer = untilCancelled(call);
        cancelledOnServer = answer.catch((e: unknown) => e);
        controller.abort(); // while the server holds the call
        return answer;
      },
    });
    const error = await client.batch.get("b1", { signal: controller.signal }).catch((e: unknown) => e);
    expect((error as ApiError).code).toBe(Code.Canceled);
    expect(await cancelledOnServer).toEqual(new Error("the client cancelled the call"));
  });
});

describe("attempts of one call", () => {
  it("keep one request id, and each gets what is left of the call's deadline as its grpc-timeout", async () => {
    // One clock for client and server that moves only when the server says it spent time, so each
    // attempt's grpc-timeout is exact (the backoff of at most 1 ms rounds down to 0).
    vi.useFakeTimers({ toFake: ["Date"] });
    let n = 0;
    server.handle({
      getBatch: async (req) => {
        if (n++ < 2) {
          vi.setSystemTime(Date.now() + 100);
          throw new StatusError(status.UNAVAILABLE, "warming up");
        }
        return batch(req.batchId);
      },
    });
    const c = new Client({ apiKey, baseUrl: server.url, retry: { transientBackoff: { initialMs: 1, maxMs: 1, multiplier: 1 } } });
    expect((await c.batch.get("b1", { timeoutMs: 5_000 })).batchId).toBe("b1");
    c.close();
    expect(new Set(server.calls.map((call) => call.metadata["x-request-id"])).size).toBe(1);
    expect(server.calls.map((call) => call.deadlineMs)).toEqual([5_000, 4_900, 4_800]);
  });

  it("names in the error the request id it sent, the same on every attempt", async () => {
    server.handle({ getBatch: async () => Promise.reject(new StatusError(status.UNAVAILABLE, "down")) });
    const c = new Client({
      apiKey,
      baseUrl: server.url,
      retry: { maxAttempts: 3, transientBackoff: { initialMs: 1, maxMs: 1, multiplier: 1 } },
    });
    const error = await c.batch.get("b1").catch((e: unknown) => e);
    c.close();
    expect(error).toBeInstanceOf(ApiError);
    const sent = new Set(server.calls.slice(-3).map((call) => call.metadata["x-request-id"]));
    expect([...sent]).toEqual([(error as ApiError).requestId]);
  });
});

describe("errors", () => {
  const cases: { name: string; error: StatusError; code: Code; retryable: boolean; check?: (e: ApiError) => void }[] = [
    { name: "NOT_FOUND", error: new StatusError(status.NOT_FOUND, "batch b1 not found"), code: Code.NotFound, retryable: false },
    {
      name: "INVALID_ARGUMENT with BadRequest",
      error: new StatusError(status.INVALID_ARGUMENT, "bad model", [
        {
          schema: BadRequestSchema,
          value: create(BadRequestSchema, { fieldViolations: [{ field: "batch_requests[0].model", description: "not a batch model" }] }),
        },
      ]),
      code: Code.InvalidArgument,
      retryable: false,
      check: (e) => expect(e.details.badRequest?.fieldViolations[0]?.field).toBe("batch_requests[0].model"),
    },
    {
      name: "RESOURCE_EXHAUSTED with RetryInfo and QuotaFailure (a quota)",
      error: new StatusError(status.RESOURCE_EXHAUSTED, "too many add calls", [
        retryInfo(1_250),
        {
          schema: QuotaFailureSchema,
          value: create(QuotaFailureSchema, { violations: [{ subject: "team", description: "100 calls per 30 s" }] }),
        },
      ]),
      code: Code.ResourceExhausted,
      retryable: true,
      check: (e) => {
        expect(e.retryAfterMs).toBe(1_250);
        expect(e.isQuotaError).toBe(true);
        expect(e.details.quotaFailure?.violations[0]?.description).toBe("100 calls per 30 s");
      },
    },
    {
      name: "RESOURCE_EXHAUSTED without a quota signal (message too large)",
      error: new StatusError(status.RESOURCE_EXHAUSTED, "message larger than 25000000 bytes"),
      code: Code.ResourceExhausted,
      retryable: false,
      check: (e) => expect(e.isQuotaError).toBe(false),
    },
    {
      name: "RESOURCE_EXHAUSTED with grpc-retry-pushback-ms",
      error: new StatusError(status.RESOURCE_EXHAUSTED, "slow down", [], { "grpc-retry-pushback-ms": "700" }),
      code: Code.ResourceExhausted,
      retryable: true,
      check: (e) => expect(e.retryAfterMs).toBe(700),
    },
    {
      name: "UNAVAILABLE with a negative pushback (do not retry)",
      error: new StatusError(status.UNAVAILABLE, "draining", [], { "grpc-retry-pushback-ms": "-1" }),
      code: Code.Unavailable,
      retryable: false,
    },
    { name: "UNAVAILABLE", error: new StatusError(status.UNAVAILABLE, "try later"), code: Code.Unavailable, retryable: true },
    {
      name: "PERMISSION_DENIED with ErrorInfo",
      error: new StatusError(status.PERMISSION_DENIED, "key disabled", [
        {
          schema: ErrorInfoSchema,
          value: create(ErrorInfoSchema, { reason: "API_KEY_DISABLED", domain: "x.ai", metadata: { team: "t1" } }),
        },
      ]),
      code: Code.PermissionDenied,
      retryable: false,
      check: (e) => expect(e.details.errorInfo).toMatchObject({ reason: "API_KEY_DISABLED", domain: "x.ai", metadata: { team: "t1" } }),
    },
    { name: "ALREADY_EXISTS", error: new StatusError(status.ALREADY_EXISTS, "id a1 exists"), code: Code.AlreadyExists, retryable: false },
    {
      name: "FAILED_PRECONDITION",
      error: new StatusError(status.FAILED_PRECONDITION, "batch cancelled"),
      code: Code.FailedPrecondition,
      retryable: false,
    },
    { name: "UNAUTHENTICATED", error: new StatusError(status.UNAUTHENTICATED, "bad key"), code: Code.Unauthenticated, retryable: false },
  ];

  for (const c of cases) {
    it(`maps ${c.name} to ApiError with its code, message and details`, async () => {
      server.handle({ getBatch: async () => Promise.reject(c.error) });
      const once = new Client({ apiKey, baseUrl: server.url, retry: { maxAttempts: 1 } });
      const error = await once.batch.get("b1").catch((e: unknown) => e);
      once.close();
      expect(error).toBeInstanceOf(ApiError);
      const e = error as ApiError;
      expect(e.code).toBe(c.code);
      expect(e.rawMessage).toBe(c.error.message);
      expect(e.message).toContain(c.error.message);
      expect(e.method).toBe("GetBatch");
      expect(e.retryable).toBe(c.retryable);
      c.check?.(e);
    });
  }

  it("never shows the API key, even when the server echoes it", async () => {
    server.handle({
      getBatch: async () =>
        Promise.reject(new StatusError(status.UNAUTHENTICATED, `key ${apiKey} is revoked`, [], { "x-debug-auth": `Bearer ${apiKey}` })),
    });
    const error = (await client.batch.get("b1").catch((e: unknown) => e)) as ApiError;
    expect(error.code).toBe(Code.Unauthenticated);
    const surfaces = [
      error.message,
      error.rawMessage,
      String(error),
      error.stack ?? "",
      inspect(error, { depth: 10 }),
      JSON.stringify(error),
      inspect(error.metadata),
      inspect(client),
      JSON.stringify(client),
    ];
    for (const text of surfaces) expect(text).not.toContain(apiKey);
    expect(error.rawMessage).toContain("[redacted]");
  });
});

describe("every RPC round-trips", () => {
  it("create, get, cancel and getBatchRequestResult send their fields and return the server's answer", async () => {
    server.handle({
      createBatch: async (req) => create(BatchSchema, { batchId: "b-new", name: req.name, inputFileId: req.inputFileId || undefined }),
      getBatch: async (req) => batch(req.batchId),
      cancelBatch: async (req) => create(BatchSchema, { batchId: req.batchId, cancelTime: { seconds: 1n } }),
      getBatchRequestResult: async (req) => ({
        request: { batchRequestId: req.batchRequestId, request: { case: "completionRequest", value: { model: "grok-4" } } },
        result: { batchRequestId: req.batchRequestId, result: { case: "error", value: { code: 13, message: "boom" } } },
      }),
    });
    expect((await client.batch.create("nightly")).name).toBe("nightly");
    expect((await client.batch.create("from-file", { inputFileId: "file-1" })).inputFileId).toBe("file-1");
    expect((await client.batch.get("b9")).batchId).toBe("b9");
    expect((await client.batch.cancel("b9")).cancelTime?.getTime()).toBe(1_000);
    const r = await client.batch.getBatchRequestResult("b9", "capital_uk");
    expect(r.request?.batchRequestId).toBe("capital_uk");
    expect(r.raw.request?.request.case).toBe("completionRequest");
    expect(r.result).toMatchObject({ ok: false, batchRequestId: "capital_uk", error: { code: Code.Internal, message: "boom" } });
    expect(server.calls.map((c) => c.method)).toEqual(["CreateBatch", "CreateBatch", "GetBatch", "CancelBatch", "GetBatchRequestResult"]);
  });

  it("listBatchRequests sends limit, token and the state filter", async () => {
    server.handle({
      listBatchRequestMetadata: async () => ({ batchRequestMetadata: [{ batchRequestId: "a", state: BatchRequestMetadata_State.FAILED }] }),
    });
    const page = await client.batch.listBatchRequests("b1", { limit: 10, paginationToken: "t1", states: ["failed", "cancelled"] });
    expect(page.batchRequestMetadata[0]?.batchRequestId).toBe("a");
    expect(page.paginationToken).toBeUndefined();
    const sent = server.calls[0]?.request as ListBatchRequestMetadataRequest;
    expect(sent).toMatchObject({ batchId: "b1", limit: 10, paginationToken: "t1" });
    expect(sent.status).toEqual([BatchRequestMetadata_State.FAILED, BatchRequestMetadata_State.CANCELLED]);
  });
});

describe("add", () => {
  const received: AddBatchRequestsRequest[] = [];
  beforeEach(() => {
    received.length = 0;
    server.handle({
      // An empty batch: the add asks first, and lists only a batch that already holds requests.
      getBatch: async (req) => batch(req.batchId),
      addBatchRequests: async (req) => {
        received.push(req);
        return {};
      },
    });
  });

  const chat = (id: string, text = "hello") => client.chat.create("grok-4", { batchRequestId: id }).append(user(text));

  it("sends chats, BatchRequest messages and plain inits in one call", async () => {
    const result = await client.batch.add("b1", [
      chat("a"),
      chat("b").toBatchRequest(),
      { batchRequestId: "c", request: { case: "completionRequest", value: { model: "grok-4", messages: [user("hi")] } } },
    ]);
    expect(result).toMatchObject({ requestsAdded: 3, calls: 1 });
    expect(received[0]?.batchRequests.map((r) => r.batchRequestId)).toEqual(["a", "b", "c"]);
    expect(result.bytesSent).toBe(toBinary(AddBatchRequestsRequestSchema, received[0]!).length);
  });

  it("splits into calls that each stay within maxAddBytes, measured on the encoded message", async () => {
    const c = new Client({ apiKey, baseUrl: server.url, limits: { maxAddBytes: 10_000 } });
    const requests = Array.from({ length: 40 }, (_, i) =>
      c.chat.create("grok-4", { batchRequestId: `r${i}` }).append(user("x".repeat(900))),
    );
    const result = await c.batch.add("b1", requests);
    c.close();
    expect(result.calls).toBeGreaterThanOrEqual(4);
    for (const call of received) expect(toBinary(AddBatchRequestsRequestSchema, call).length).toBeLessThanOrEqual(10_000);
    expect(received.flatMap((call) => call.batchRequests.map((r) => r.batchRequestId))).toEqual(requests.map((r) => r.batchRequestId));
  });

  it("carries a full 25 MB call", async () => {
    const requests = Array.from({ length: 1_000 }, (_, i) => chat(`big${i}`, "y".repeat(24_900)));
    const result = await client.batch.add("b1", requests);
    expect(result.calls).toBe(1);
    const bytes = toBinary(AddBatchRequestsRequestSchema, received[0]!).length;
    expect(bytes).toBeGreaterThan(24_900_000);
    expect(bytes).toBeLessThanOrEqual(25_000_000);
  });
});

describe("inputs are refused before the wire", () => {
  const refusals: [string, (c: Client) => unknown, RegExp][] = [
    ["an empty batch id", (c) => c.batch.get(""), /`batchId` to be a non-empty string/],
    ["a limit of 0", (c) => c.batch.list({ limit: 0 }), /`limit` to be an integer from 1 to 1000, got 0/],
    ["a fractional limit", (c) => c.batch.listBatchResults("b1", { limit: 2.5 }), /got 2.5/],
    ["an unknown option", (c) => c.batch.list({ limt: 5 } as never), /Unknown option `limt`/],
    [
      "an unknown state",
      (c) => c.batch.listBatchRequests("b1", { states: ["done" as never] }),
      /"pending", "succeeded", "failed" or "cancelled", got "done"/,
    ],
    [
      "a chat with no messages",
      (c) => c.batch.add("b1", [c.chat.create("grok-4", { batchRequestId: "q1" })]),
      /request #0 \(id "q1"\) `messages`: is empty/,
    ],
    ["a request with no payload", (c) => c.batch.add("b1", [{ batchRequestId: "p" }]), /has no payload/],
    [
      "a model the Batch API does not serve",
      (c) => c.batch.add("b1", [c.chat.create("gpt-4o").append(user("hi"))]),
      /request #0 `model`: asks for "gpt-4o"/,
    ],
    [
      "a duplicate id in one add",
      (c) =>
        c.batch.add(
          "b1",
          [0, 1].map(() => c.chat.create("grok-4", { batchRequestId: "dup" }).append(user("hi"))),
        ),
      /request #1 \(id "dup"\): repeats an id/,
    ],
    ["reserved metadata", (c) => c.batch.get("b1", { metadata: { authorization: "x" } }), /may not set "authorization"/],
  ];
  for (const [name, act, message] of refusals) {
    it(`refuses ${name}`, async () => {
      await expect(Promise.resolve().then(() => act(client))).rejects.toThrow(message);
      await expect(Promise.resolve().then(() => act(client))).rejects.toBeInstanceOf(InputError);
      expect(server.calls).toHaveLength(0);
    });
  }

  it("refuses a request that alone is over the size limit, naming it and both sizes, and sends nothing", async () => {
    const c = new Client({ apiKey, baseUrl: server.url, limits: { maxAddBytes: 5_000 } });
    const requests = [
      c.chat.create("grok-4", { batchRequestId: "ok" }).append(user("small")),
      c.chat.create("grok-4", { batchRequestId: "huge" }).append(user("z".repeat(6_000))),
    ];
    const error = await c.batch.add("b1", requests).catch((e: unknown) => e);
    c.close();
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(/request #1 \(id "huge"\): encodes to 60\d\d bytes; .* at most 5000 bytes/);
    expect(server.calls).toHaveLength(0);
  });

  it('accepts any model when batchModels is "any"', async () => {
    server.handle({ getBatch: async (req) => batch(req.batchId), addBatchRequests: async () => ({}) });
    const c = new Client({ apiKey, baseUrl: server.url, batchModels: "any" });
    await c.batch.add("b1", [c.chat.create("grok-9-preview").append(user("hi"))]);
    c.close();
    expect(server.calls.map((call) => call.method)).toEqual(["GetBatch", "AddBatchRequests"]);
  });
});

describe("construction and lifecycle", () => {
  it("without a key, fails at construction naming XAI_API_KEY", () => {
    const saved = process.env.XAI_API_KEY;
    delete process.env.XAI_API_KEY;
    try {
      expect(() => new Client({ baseUrl: server.url })).toThrow(/XAI_API_KEY/);
    } finally {
      if (saved !== undefined) process.env.XAI_API_KEY = saved;
    }
  });

  it("reads the key from XAI_API_KEY", async () => {
    const saved = process.env.XAI_API_KEY;
    process.env.XAI_API_KEY = "env-key-77";
    try {
      server.handle({ getBatch: async (req) => batch(req.batchId) });
      const c = new Client({ baseUrl: server.url });
      await c.batch.get("b1");
      c.close();
      expect(server.calls[0]?.metadata.authorization).toBe("Bearer env-key-77");
    } finally {
      if (saved === undefined) delete process.env.XAI_API_KEY;
      else process.env.XAI_API_KEY = saved;
    }
  });

  it("refuses plaintext to a host that is not loopback unless allowInsecure is set", () => {
    expect(() => new Client({ apiKey, baseUrl: "http://batch.internal:50051" })).toThrow(/Refusing plaintext http:\/\/ to batch.internal/);
    expect(() => new Client({ apiKey, baseUrl: "http://batch.internal:50051", allowInsecure: true }).close()).not.toThrow();
    expect(() => new Client({ apiKey, baseUrl: "http://[::1]:50051" }).close()).not.toThrow();
  });

  it("refuses calls after close, and close is idempotent", async () => {
    client.close();
    client.close();
    await expect(client.batch.get("b1")).rejects.toThrow(/closed/);
    expect(server.calls).toHaveLength(0);
  });

  it("replaces a connection the server dropped, transparently, on the next call", async () => {
    server.handle({ getBatch: async (req) => batch(req.batchId) });
    await client.batch.get("b1");
    // Dropped just before the call: the client may not have seen it go yet.
    await server.restart();
    expect((await client.batch.get("b2")).batchId).toBe("b2");
    // Dropped while idle, and seen closed before the call.
    await server.restart();
    await server.disconnected();
    expect((await client.batch.get("b3")).batchId).toBe("b3");
  });

  it("reports a connection lost under a call as UNAVAILABLE, which is retryable", async () => {
    server.handle({ getBatch: async (req) => batch(req.batchId) });
    const once = new Client({ apiKey, baseUrl: server.url, retry: { maxAttempts: 1 } });
    await once.batch.get("b1");
    server.handle({
      getBatch: async () => {
        setImmediate(() => void server.restart());
        return new Promise(() => {});
      },
    });
    const error = (await once.batch.get("b2").catch((e: unknown) => e)) as ApiError;
    once.close();
    expect(error.code).toBe(Code.Unavailable);
    expect(error.retryable).toBe(true);
  });

  it("keeps working across server GOAWAYs (max connection age)", async () => {
    const aging = await startTestServer(
      { getBatch: async (req) => batch(req.batchId) },
      { "grpc.max_connection_age_ms": 100, "grpc.max_connection_age_grace_ms": 50 },
    );
    const c = new Client({ apiKey, baseUrl: aging.url });
    for (let i = 0; i < 4; i++) {
      expect((await c.batch.get(`g${i}`)).batchId).toBe(`g${i}`);
      // The server ends each connection at its age (GOAWAY, then close): the next call needs a new one.
      await aging.disconnected();
    }
    c.close();
    await aging.stop();
  });
});

describe("bringing a transport", () => {
  it("uses the caller's Connect transport with its interceptors, and leaves it open on close()", async () => {
    const seen: string[] = [];
    const own = createGrpcTransport({
      baseUrl: server.url,
      interceptors: [
        (next) => (req) => {
          seen.push(req.method.name);
          return next(req);
        },
      ],
    });
    server.handle({ getBatch: async (req) => batch(req.batchId) });
    const first = new Client({ apiKey, transport: own });
    expect((await first.batch.get("b1")).batchId).toBe("b1");
    first.close();
    const second = new Client({ apiKey, transport: own });
    expect((await second.batch.get("b2")).batchId).toBe("b2");
    second.close();
    expect(seen).toEqual(["GetBatch", "GetBatch"]);
    expect(server.calls.at(-1)?.metadata.authorization).toBe(`Bearer ${apiKey}`);
  });

  it("refuses settings that belong on the transport passed", () => {
    const own = createGrpcTransport({ baseUrl: server.url });
    expect(() => new Client({ apiKey, transport: own, baseUrl: "http://127.0.0.1:1" })).toThrow(/`baseUrl` has no effect with `transport`/);
    expect(() => new Client({ apiKey, interceptors: ["nope" as never] })).toThrow(/Expected `interceptors`/);
  });
});
