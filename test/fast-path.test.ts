import { create, equals, type MessageInitShape } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { decodeRequest, grpcRawImplementation, grpcServiceDefinition } from "../src/emulator/grpc-service.js";
import {
  BatchRequestSchema,
  ChatRequest,
  Client,
  MessageRole,
  user,
  type AddInput,
  type AddResult,
  type ResultView,
} from "../src/index.js";
import { BatchMgmt, BatchResultSchema, FinishReason, type BatchResult } from "../src/core/internal/wire.js";
import * as addFrame from "../src/internal/wire/add-frame.js";
import * as addFrames from "../src/internal/wire/add-frames.js";
import * as byteArena from "../src/internal/wire/byte-arena.js";
import * as chatEncoder from "../src/internal/wire/chat-encoder.js";
import * as frameBuffers from "../src/internal/wire/frame-buffers.js";
import * as requestBytes from "../src/internal/wire/request-bytes.js";
import * as resultReader from "../src/internal/wire/result-reader.js";
import { withFastPath } from "./support/fast-path.js";

// The fast path's modules, each export a spy that runs the real code: what ran of them is counted, and
// nothing else changes.
vi.mock("../src/internal/wire/add-frame.js", { spy: true });
vi.mock("../src/internal/wire/add-frames.js", { spy: true });
vi.mock("../src/internal/wire/byte-arena.js", { spy: true });
vi.mock("../src/internal/wire/chat-encoder.js", { spy: true });
vi.mock("../src/internal/wire/frame-buffers.js", { spy: true });
vi.mock("../src/internal/wire/request-bytes.js", { spy: true });
vi.mock("../src/internal/wire/result-reader.js", { spy: true });
const fastModules = [addFrame, addFrames, byteArena, chatEncoder, frameBuffers, requestBytes, resultReader];

/**
 * Each function and method of the fast path's modules run since the spies were last cleared. A class
 * counts by its methods: building one writes nothing (an add builds its ChatEncoder either way, and
 * RequestEncoder leaves it unused when the switch is off).
 */
function fastPathCalls(): string[] {
  const called: string[] = [];
  for (const module of fastModules) {
    for (const [name, value] of Object.entries(module)) {
      if (!vi.isMockFunction(value)) continue;
      const prototype = (value as unknown as { prototype?: Record<string, unknown> }).prototype ?? {};
      const methods = Object.getOwnPropertyNames(prototype).filter((key) => key !== "constructor" && vi.isMockFunction(prototype[key]));
      if (methods.length === 0 && value.mock.calls.length > 0) called.push(name);
      for (const key of methods) if (vi.mocked(prototype[key] as () => void).mock.calls.length > 0) called.push(`${name}.${key}`);
    }
  }
  return called.sort();
}

const batchId = "batch-fast";
const messages = [{ role: MessageRole.ROLE_USER, content: [{ content: { case: "text" as const, value: "Hi" } }] }];

// Requests the chat encoder writes and requests it leaves to the normaliser, in every shape add takes,
// with and without ids (the same content twice: two automatic ids), and one the normaliser refuses.
const inputs: AddInput[] = [
  {
    id: "c1",
    model: "grok-4",
    messages: [
      { role: "system", content: "Be brief" },
      { role: "user", content: "Hi 😀 é \u0000" },
    ],
    max_tokens: 50,
    temperature: 0.7,
    stop: "END",
  },
  { model: "grok-4", messages: [{ role: "user", content: "no id" }], seed: -3, top_p: 1 },
  { model: "grok-4", messages: [{ role: "user", content: "no id" }], seed: -3, top_p: 1 },
  {
    custom_id: "o1",
    method: "POST",
    url: "/v1/chat/completions",
    body: {
      model: "grok-3",
      messages: [
        { role: "developer", content: "" },
        { role: "user", content: "x".repeat(300) },
      ],
      n: 2,
      user: "u-1",
    },
  },
  {
    batchRequestId: "p1",
    completionRequest: { model: "grok-4", messages: [{ role: "ROLE_USER", content: [{ text: "proto json" }] }], maxTokens: 5 },
  },
  new ChatRequest("grok-4", { batchRequestId: "builder", maxTokens: 5 }).append(user("Hi")),
  new ChatRequest("grok-4", { maxTokens: 6 }).append(user("a builder without an id")),
  create(BatchRequestSchema, {
    batchRequestId: "message",
    request: { case: "completionRequest", value: { model: "grok-4", maxTokens: 5, messages } },
  }),
  { request: { case: "completionRequest", value: { model: "grok-4", maxTokens: 7, messages } } },
  {
    id: "i1",
    model: "grok-4",
    messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "https://example.com/a.png" } }] }],
  },
  {
    model: "grok-4",
    messages: [
      {
        role: "user",
        content: [
          { type: "text", text: "an image, no id" },
          { type: "image_url", image_url: { url: "https://example.com/b.png" } },
        ],
      },
    ],
  },
  { id: "e1", model: "grok-4", messages: [{ role: "user", content: "think" }], reasoning_effort: "low" },
  { id: "n1", model: "grok-4", messages: [{ role: "user", content: "named", name: "ann" }] },
  { id: "bad", model: "grok-4", messages: [{ role: "user", content: "hot" }], temperature: 3 },
  { id: "m1", model: "grok-4", messages: [{ role: "user", content: "a string number" }], max_tokens: "7" },
];

/** Results of every kind a view tells apart. */
const results: BatchResult[] = [
  {
    batchRequestId: "c1",
    result: {
      case: "response",
      value: {
        response: {
          case: "completionResponse",
          value: {
            model: "grok-4",
            outputs: [
              {
                finishReason: FinishReason.REASON_STOP,
                message: {
                  content: "Hello",
                  reasoningContent: "hm",
                  toolCalls: [{ id: "t1", tool: { case: "function", value: { name: "f", arguments: "{}" } } }],
                },
              },
            ],
            usage: { promptTokens: 3, completionTokens: 2, totalTokens: 5, costInUsdTicks: 25_000_000n },
          },
        },
      },
    },
  },
  { batchRequestId: "bad-one", result: { case: "error", value: { code: 3, message: "invalid" } } },
  {
    batchRequestId: "i1",
    result: {
      case: "response",
      value: {
        response: {
          case: "imageResponse",
          value: {
            model: "grok-2-image",
            images: [{ image: { case: "url", value: "https://img/1.png" } }, { image: { case: "base64", value: "iVBORw0KGgo=" } }],
          },
        },
      },
    },
  },
  {
    batchRequestId: "v1",
    result: {
      case: "response",
      value: { response: { case: "videoResponse", value: { model: "grok-video", video: { url: "https://vid/1.mp4" } } } },
    },
  },
  { batchRequestId: "empty" },
].map((init) => create(BatchResultSchema, init as MessageInitShape<typeof BatchResultSchema>));

/** Each AddBatchRequests message as it arrived, still encoded. */
let received: Buffer[] = [];
let server: grpc.Server;
let baseUrl: string;

beforeAll(async () => {
  server = new grpc.Server({ "grpc.max_receive_message_length": 64 * 1024 * 1024 });
  server.addService(
    grpcServiceDefinition(BatchMgmt),
    grpcRawImplementation(BatchMgmt, {
      addBatchRequests: async (bytes) => {
        received.push(Buffer.from(bytes));
        return {};
      },
      getBatch: async () => ({ batchId, state: { numRequests: 0n } }),
      listBatchResults: async (bytes) => {
        const { limit, paginationToken } = decodeRequest(BatchMgmt.method.listBatchResults.input, bytes);
        const offset = Number(paginationToken || 0);
        const next = offset + limit < results.length ? String(offset + limit) : "";
        return { results: results.slice(offset, offset + limit), paginationToken: next };
      },
    }),
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  );
  baseUrl = `http://127.0.0.1:${port}`;
});

afterAll(() => {
  server.forceShutdown();
});

/** What one client saw and sent: an add of `inputs`, then a listing of `results`. */
interface Session {
  /** The AddBatchRequests messages the server received, as hex, in the order they arrived. */
  readonly wire: string[];
  readonly added: Omit<AddResult, "quotaWaitMs">;
  readonly refused: string[];
  readonly views: ResultView[];
  readonly fastPathCalls: string[];
}

/** Runs an add and a listing with a fresh client, the fast path switched `on` from before the client is made. */
function session(on: boolean): Promise<Session> {
  vi.clearAllMocks();
  received = [];
  return withFastPath(on, async () => {
    const client = new Client({ baseUrl, apiKey: "xai-fast-path-test-key-0123" });
    try {
      const refused: string[] = [];
      // Several calls, so frames are written one after another.
      const { quotaWaitMs: _, ...added } = await client.batch.add(batchId, inputs, {
        maxRequestsPerCall: 4,
        invalid: "skip",
        onInvalid: (error) => refused.push(error.message),
      });
      const views: ResultView[] = [];
      for await (const view of client.batch.listBatchResults(batchId, { limit: 2 })) views.push(view);
      return { wire: received.map((bytes) => bytes.toString("hex")), added, refused, views, fastPathCalls: fastPathCalls() };
    } finally {
      client.close();
    }
  });
}

describe("the fast path switch", () => {
  let on: Session;
  let off: Session;
  beforeAll(async () => {
    on = await session(true);
    off = await session(false);
  });

  it("changes no byte on the wire and no view: an add of mixed inputs, then a listing", () => {
    expect(on.added).toMatchObject({ requestsRead: inputs.length, requestsAdded: inputs.length - 1, invalid: 1, calls: 4 });
    expect(on.refused).toHaveLength(1);
    expect(off.wire).toEqual(on.wire);
    expect(off.added).toEqual(on.added);
    expect(off.refused).toEqual(on.refused);
    expect(on.views.map((v) => v.batchRequestId)).toEqual(results.map((r) => r.batchRequestId));
    // Fields, undefined ones included; `raw` is not enumerable, so compared on its own.
    expect(off.views).toStrictEqual(on.views);
    for (const [i, view] of off.views.entries()) expect(equals(BatchResultSchema, view.raw, on.views[i]!.raw)).toBe(true);
  });

  it("off, runs no function or method of the fast path's modules; on, it runs each part", () => {
    expect(off.fastPathCalls).toEqual([]);
    expect(on.fastPathCalls).toEqual(
      expect.arrayContaining([
        "ChatEncoder.encode",
        "cutRequests",
        "withId",
        "AddFrames.httpClient",
        "FrameBuffers.take",
        "writeAddFrame",
        "viewResultBytes",
      ]),
    );
  });
});

describe("XAI_BATCH_FAST_PATH", () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it.each([
    ["off", false],
    [" OFF ", false],
    ["on", true],
    ["", true],
    [undefined, true],
  ])("set to %j as the library loads, leaves the fast path on: %s", async (value, expected) => {
    vi.stubEnv("XAI_BATCH_FAST_PATH", value);
    // The switch is read as the library loads: a fresh copy of its module reads it again.
    vi.resetModules();
    const { fastPath: loaded } = await import("../src/internal/wire/fast-path.js");
    expect(loaded.on).toBe(expected);
  });
});
