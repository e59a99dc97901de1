import { create, equals, fromBinary, toBinary, type MessageInitShape } from "@bufbuild/protobuf";
import { anyPack, timestampFromMs } from "@bufbuild/protobuf/wkt";
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiError, Client, Code } from "../src/index.js";
import { viewDecodedResult } from "../src/internal/wire/decoded-result.js";
import { viewResultBytes } from "../src/internal/wire/result-reader.js";
import { viewResult } from "../src/views/view-result.js";
import type { ResultView } from "../src/views/results.js";
import {
  BatchResultSchema,
  FinishReason,
  ListBatchResultsResponseSchema,
  MessageRole,
  PreencodedListBatchResultsResponseSchema,
  type BatchResult,
} from "../src/core/internal/wire.js";
import { withFastPath } from "./support/fast-path.js";
import { startTestServer, type TestServer } from "./support/test-server.js";

type ResultInit = MessageInitShape<typeof BatchResultSchema>;

/** A small seeded generator, so a failing case can be found again. */
function random(seed: number) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const chance = (p: number) => next() < p;
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const text = () => pick(["", "Paris.", "échec ✓", "多字节", "🙂 emoji", "a".repeat(200), `line\nbreak ${int(1000)}`]);
  return { int, chance, pick, text };
}
type Random = ReturnType<typeof random>;

function usage(r: Random) {
  if (r.chance(0.2)) return undefined;
  return {
    promptTokens: r.int(5000),
    completionTokens: r.int(5000),
    reasoningTokens: r.int(100),
    totalTokens: r.int(10000),
    promptTextTokens: r.int(10),
    cachedPromptTextTokens: r.int(10),
    promptImageTokens: r.int(10),
    numSourcesUsed: r.int(3),
    ...(r.chance(0.7) ? { costInUsdTicks: r.pick([0n, 25_000_000n, -3n, 9_007_199_254_740_993n]) } : {}),
  };
}

function completion(r: Random) {
  return {
    id: `c-${r.int(100)}`,
    model: r.pick(["grok-4", "", "grok-3-mini"]),
    created: timestampFromMs(1_700_000_000_000 + r.int(1e9)),
    systemFingerprint: r.text(),
    citations: r.chance(0.3) ? ["https://x.ai"] : [],
    usage: usage(r),
    outputs: Array.from({ length: r.int(3) }, (_, index) => ({
      index,
      // Values the enum does not name come through as numbers, as from a newer server.
      finishReason: r.pick([
        FinishReason.REASON_STOP,
        FinishReason.REASON_TOOL_CALLS,
        FinishReason.REASON_MAX_LEN,
        FinishReason.REASON_INVALID,
        42 as FinishReason,
      ]),
      message: r.chance(0.15)
        ? undefined
        : {
            role: MessageRole.ROLE_ASSISTANT,
            content: r.text(),
            reasoningContent: r.chance(0.5) ? r.text() : "",
            encryptedContent: r.chance(0.2) ? "enc" : "",
            toolCalls: Array.from({ length: r.int(3) }, (_, i) => ({
              id: `t${i}`,
              errorMessage: r.chance(0.2) ? "tool failed" : undefined,
              tool: r.chance(0.8)
                ? { case: "function" as const, value: { name: `fn${i}`, arguments: `{"n":${r.int(9)}}` } }
                : { case: undefined },
            })),
          },
    })),
  };
}

function resultInit(r: Random, i: number): ResultInit {
  const batchRequestId = r.chance(0.05) ? "" : `req-${i}`;
  switch (r.int(7)) {
    case 0:
    case 1:
      return { batchRequestId, result: { case: "response", value: { response: { case: "completionResponse", value: completion(r) } } } };
    case 2: {
      const images = Array.from({ length: r.int(4) }, (_, j) =>
        r.chance(0.6)
          ? { image: { case: "url" as const, value: `https://img/${i}/${j}.png` }, respectModeration: r.chance(0.5) }
          : r.chance(0.8)
            ? { image: { case: "base64" as const, value: "iVBORw0KGgo=" } }
            : { image: { case: undefined } },
      );
      return {
        batchRequestId,
        result: {
          case: "response",
          value: { response: { case: "imageResponse", value: { images, model: "grok-2-image", usage: usage(r) } } },
        },
      };
    }
    case 3: {
      const video = r.chance(0.8) ? { url: r.chance(0.9) ? `https://vid/${i}.mp4` : "", duration: r.int(10) } : undefined;
      const error = r.chance(0.2) ? { code: "moderated", message: "no" } : undefined;
      return {
        batchRequestId,
        result: {
          case: "response",
          value: { response: { case: "videoResponse", value: { video, model: "grok-video", usage: usage(r), error, progress: 100 } } },
        },
      };
    }
    case 4: {
      const details = r.chance(0.5) ? [anyPack(BatchResultSchema, create(BatchResultSchema, { batchRequestId: "inner" }))] : [];
      return { batchRequestId, result: { case: "error", value: { code: r.pick([0, 3, 8, 13, 99]), message: r.text(), details } } };
    }
    case 5:
      return { batchRequestId, result: { case: "response", value: {} } };
    default:
      return { batchRequestId };
  }
}

/** A message's fields it does not know, as a newer server might send: one of each wire type. */
function unknownFields(r: Random) {
  const no = 900 + r.int(50);
  return [
    { no, wireType: WireType.Varint, data: new BinaryWriter().uint64(123_456_789_012n).finish() },
    { no: no + 1, wireType: WireType.LengthDelimited, data: new BinaryWriter().bytes(new Uint8Array([1, 2, 3])).finish() },
    { no: no + 2, wireType: WireType.Bit32, data: new BinaryWriter().fixed32(7).finish() },
    { no: no + 3, wireType: WireType.Bit64, data: new BinaryWriter().fixed64(8n).finish() },
  ];
}

/** Puts unknown fields on some of the messages inside a result, at every depth the view reads. */
function addUnknown(message: object, r: Random, depth = 0): void {
  if (depth > 8) return;
  const m = message as { $typeName?: string; $unknown?: unknown };
  if (typeof m.$typeName === "string" && r.chance(0.3)) m.$unknown = unknownFields(r);
  for (const value of Object.values(message)) {
    if (value !== null && typeof value === "object" && !(value instanceof Uint8Array)) addUnknown(value as object, r, depth + 1);
  }
}

function generated(count: number, seed: number): BatchResult[] {
  const r = random(seed);
  return Array.from({ length: count }, (_, i) => {
    const message = create(BatchResultSchema, resultInit(r, i));
    addUnknown(message, r);
    return message;
  });
}

/** A view and the shape of its data, key order and undefined values included. */
function shape(view: ResultView): unknown {
  const walk = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(walk)
      : v !== null && typeof v === "object"
        ? Object.entries(v).map(([k, x]) => [k, walk(x)])
        : v === undefined
          ? "(undefined)"
          : v;
  return walk(view);
}

/** The reader's view of `bytes` against the general path's (fast-path.ts). */
function expectSameView(bytes: Uint8Array): void {
  const expected = viewDecodedResult(bytes);
  const actual = viewResultBytes(bytes);
  expect(shape(actual)).toEqual(shape(expected));
  expect(Object.keys(actual)).toEqual(Object.keys(expected));
  expect(equals(BatchResultSchema, actual.raw, expected.raw)).toBe(true);
}

describe("viewResultBytes: the view of a result read straight from its bytes", () => {
  it("equals the view of the decoded message, over many generated results of every kind", () => {
    const results = generated(3000, 14);
    const kinds = new Set<string>();
    for (const message of results) {
      const bytes = toBinary(BatchResultSchema, message);
      expectSameView(bytes);
      kinds.add(viewResult(message).kind);
    }
    expect([...kinds].sort()).toEqual(["completion", "error", "image", "video"]);
  });

  it("equals it when fields repeat: two results' bytes back to back merge as protobuf says", () => {
    // Concatenated encodings are one message: scalars last-wins, singular messages merged, repeated
    // fields appended, a oneof switched by its last case. The server does not send this; the reader
    // must still not tell a different story from fromBinary.
    const a = generated(800, 1);
    const b = generated(800, 2);
    for (let i = 0; i < a.length; i++) {
      const first = toBinary(BatchResultSchema, a[i]!);
      const second = toBinary(BatchResultSchema, b[i]!);
      const same = toBinary(BatchResultSchema, a[(i + 1) % a.length]!);
      expectSameView(new Uint8Array([...first, ...second]));
      expectSameView(new Uint8Array([...first, ...same, ...first]));
    }
  });

  it("decodes raw once, on first use, keeping it out of the JSON", () => {
    const [message] = generated(1, 3);
    const view = viewResultBytes(toBinary(BatchResultSchema, message!));
    expect(Object.getOwnPropertyDescriptor(view, "raw")?.enumerable).toBe(false);
    expect(view.raw).toBe(view.raw);
    // Once read, the same kind of property as viewResult's: a fixed, hidden value.
    expect(Object.getOwnPropertyDescriptor(view, "raw")).toMatchObject({ enumerable: false, configurable: false, writable: false });
    expect(equals(BatchResultSchema, view.raw, message!)).toBe(true);
    expect(JSON.parse(JSON.stringify(view))).not.toHaveProperty("raw");
  });

  it("keeps its own copy of the result's bytes, not the page's buffer", () => {
    const [message] = generated(1, 4);
    const page = toBinary(BatchResultSchema, message!);
    const view = viewResultBytes(page);
    page.fill(0);
    expect(equals(BatchResultSchema, view.raw, message!)).toBe(true);
  });

  it("fails a result that does not decode with an Internal ApiError, as Connect's decoding did, as the general path does", () => {
    const bytes = toBinary(
      BatchResultSchema,
      create(BatchResultSchema, { batchRequestId: "req-1", result: { case: "error", value: { code: 3, message: "bad" } } }),
    );
    const truncated = bytes.subarray(0, bytes.length - 2);
    const notUtf8 = new Uint8Array([0x0a, 0x02, 0xc3, 0x28]);
    for (const broken of [truncated, notUtf8]) {
      expect(() => fromBinary(BatchResultSchema, broken)).toThrow();
      for (const view of [viewResultBytes, viewDecodedResult]) {
        const error = (() => {
          try {
            view(broken);
          } catch (e) {
            return e;
          }
        })();
        expect(error).toBeInstanceOf(ApiError);
        expect((error as ApiError).code).toBe(Code.Internal);
        expect((error as ApiError).message).toMatch(/parse binary/);
      }
    }
  });
});

describe("PreencodedListBatchResultsResponse", () => {
  it("reads a ListBatchResultsResponse's bytes as its results' own bytes and its token", () => {
    const results = generated(50, 5);
    for (const paginationToken of ["next", "", undefined]) {
      const page = toBinary(ListBatchResultsResponseSchema, create(ListBatchResultsResponseSchema, { results, paginationToken }));
      const preencoded = fromBinary(PreencodedListBatchResultsResponseSchema, page);
      expect(preencoded.paginationToken).toBe(paginationToken);
      expect(preencoded.results.map((b) => fromBinary(BatchResultSchema, b))).toEqual(
        fromBinary(ListBatchResultsResponseSchema, page).results,
      );
      expect(toBinary(PreencodedListBatchResultsResponseSchema, preencoded)).toEqual(page);
    }
  });
});

describe("listBatchResults over a real gRPC server", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.stop());

  // The same views from the general path (fromBinary, then viewResult) as from the reader.
  it.each([true, false])("hands out the same views as the decoded messages give, page after page (fast path on: %s)", async (on) => {
    const results = generated(250, 6);
    server.handle({
      listBatchResults: async (req) => {
        const offset = Number(req.paginationToken || 0);
        return {
          results: results.slice(offset, offset + req.limit),
          paginationToken: offset + req.limit < results.length ? String(offset + req.limit) : "",
        };
      },
    });
    await withFastPath(on, async () => {
      const client = new Client({ apiKey: "k", baseUrl: server.url });
      try {
        const seen: ResultView[] = [];
        for await (const view of client.batch.listBatchResults("b1", { limit: 40 })) seen.push(view);
        // The server (grpc-js) encodes with its own stack; compare with views of the same messages.
        const expected = results.map((m) => viewResult(fromBinary(BatchResultSchema, toBinary(BatchResultSchema, m))));
        expect(seen.map(shape)).toEqual(expected.map(shape));
        expect(seen.every((v, i) => equals(BatchResultSchema, v.raw, expected[i]!.raw))).toBe(true);
        const page = await client.batch.listBatchResults("b1", { limit: 40 });
        expect(page.succeeded.map(shape)).toEqual(
          expected
            .slice(0, 40)
            .filter((v) => v.ok)
            .map(shape),
        );
        expect(page.failed.map(shape)).toEqual(
          expected
            .slice(0, 40)
            .filter((v) => !v.ok)
            .map(shape),
        );
      } finally {
        client.close();
      }
    });
  });
});
