import { create, toBinary } from "@bufbuild/protobuf";
import { BinaryWriter } from "@bufbuild/protobuf/wire";
import { describe, expect, it } from "vitest";
import { ChunkPlanner, envelopeSize, fieldSize, varintSize, type ChunkLimits } from "../../src/internal/add/chunking.js";
import { AddBatchRequestsRequestSchema, BatchRequestSchema, MessageRole, type BatchRequest } from "../../src/core/internal/wire.js";

const encodedAdd = (batchId: string, batchRequests: BatchRequest[]) =>
  toBinary(AddBatchRequestsRequestSchema, create(AddBatchRequestsRequestSchema, { batchId, batchRequests })).length;
const encodedRequest = (request: BatchRequest) => toBinary(BatchRequestSchema, request).length;

/** A chat request whose encoding is exactly `bytes` long, padded through its batch_request_id. */
function requestOfSize(bytes: number): BatchRequest {
  const build = (padding: number) =>
    create(BatchRequestSchema, {
      batchRequestId: "r".repeat(padding),
      request: {
        case: "completionRequest",
        value: { model: "grok-4", messages: [{ role: MessageRole.ROLE_USER, content: [{ content: { case: "text", value: "hi" } }] }] },
      },
    });
  for (let padding = Math.max(0, bytes - 64); padding <= bytes; padding++) {
    const request = build(padding);
    if (encodedRequest(request) === bytes) return request;
  }
  throw new Error(`no padding gives a request of exactly ${bytes} bytes`);
}

describe("varintSize", () => {
  it.each([0, 1, 127, 128, 300, 16_383, 16_384, 2_097_151, 2_097_152, 268_435_455, 268_435_456, 2 ** 32 - 1, 2 ** 32, 2 ** 35, 2 ** 42])(
    "agrees with the protobuf writer for %i",
    (value) => {
      const written = new BinaryWriter().uint64(value).finish().length;
      expect(varintSize(value)).toBe(written);
    },
  );

  it("steps up at each 7-bit boundary", () => {
    expect([127, 128, 16_383, 16_384].map(varintSize)).toEqual([1, 2, 2, 3]);
  });
});

describe("fieldSize and envelopeSize", () => {
  it.each([1, 126, 127, 128, 129, 16_382, 16_383, 16_384, 70_000])(
    "fieldSize(%i) is what a string field of that length encodes to",
    (length) => {
      expect(fieldSize(length)).toBe(encodedAdd("b".repeat(length), []));
    },
  );

  it.each([
    ["an ordinary id", "batch_0a1b2c3d"],
    ["a multi-byte UTF-8 id", "批次-ünïcödé-😀"],
    ["an id of 127 bytes", "x".repeat(127)],
    ["an id of 128 bytes", "x".repeat(128)],
    ["an id of 128 bytes from 2-byte characters", "é".repeat(64)],
    ["an empty id, which proto3 does not encode", ""],
  ])("envelopeSize is exact for %s", (_name, batchId) => {
    expect(envelopeSize(batchId)).toBe(encodedAdd(batchId, []));
  });

  it.each([120, 127, 128, 129, 200, 16_383, 16_384, 16_385, 40_000])(
    "envelope plus fieldSize of each request equals the real encoding, with requests of %i bytes",
    (bytes) => {
      const request = requestOfSize(bytes);
      for (const batchId of ["batch_1", "批次-😀"]) {
        const requests = [request, request, request];
        expect(envelopeSize(batchId) + 3 * fieldSize(bytes)).toBe(encodedAdd(batchId, requests));
      }
    },
  );
});

describe("ChunkPlanner", () => {
  /** Plans calls the way an add does: fill while a request fits, then start the next call. */
  function plan(batchId: string, requests: BatchRequest[], limits: ChunkLimits) {
    const planner = new ChunkPlanner(limits, envelopeSize(batchId));
    const calls: { requests: BatchRequest[]; plannedBytes: number }[] = [];
    let current: BatchRequest[] = [];
    for (const request of requests) {
      const bytes = encodedRequest(request);
      expect(planner.fitsAlone(bytes)).toBe(true);
      if (!planner.fits(bytes)) {
        calls.push({ requests: current, plannedBytes: planner.reset() });
        current = [];
      }
      planner.add(bytes);
      current.push(request);
    }
    calls.push({ requests: current, plannedBytes: planner.reset() });
    return calls;
  }

  it.each([
    ["byte-bound", { maxBytes: 1_000, maxRequests: 100 }],
    ["count-bound", { maxBytes: 1_000_000, maxRequests: 7 }],
    ["tight on both", { maxBytes: 16_600, maxRequests: 3 }],
  ])("never plans a call over either limit (%s)", (_name, limits) => {
    const sizes = [50, 127, 128, 300, 16_383, 70, 16_384 - 200, 129, 90, 126, 60, 500, 128, 127, 40, 41, 42, 43, 44, 45];
    const requests = sizes.filter((s) => s + 3 + envelopeSize("批次-1") <= limits.maxBytes).map(requestOfSize);
    const calls = plan("批次-1", requests, limits);

    expect(calls.flatMap((c) => c.requests)).toEqual(requests);
    expect(calls.length).toBeGreaterThan(2);
    for (const call of calls) {
      const actual = encodedAdd("批次-1", call.requests);
      expect(call.plannedBytes).toBe(actual);
      expect(actual).toBeLessThanOrEqual(limits.maxBytes);
      expect(call.requests.length).toBeLessThanOrEqual(limits.maxRequests);
      expect(call.requests.length).toBeGreaterThan(0);
    }
    for (let i = 0; i + 1 < calls.length; i++) {
      // Greedy: a call only ends when the next request really would not fit.
      const withNext = [...calls[i]!.requests, calls[i + 1]!.requests[0]!];
      expect(encodedAdd("批次-1", withNext) > limits.maxBytes || withNext.length > limits.maxRequests).toBe(true);
    }
  });

  it("fills a call to exactly maxBytes and refuses one byte more", () => {
    const batchId = "batch_1";
    const maxBytes = envelopeSize(batchId) + 2 * fieldSize(128);
    const planner = new ChunkPlanner({ maxBytes, maxRequests: 10 }, envelopeSize(batchId));
    planner.add(128);
    expect(planner.fits(128)).toBe(true);
    expect(planner.fits(129)).toBe(false);
    planner.add(128);
    expect(planner.size).toBe(2);
    expect(planner.reset()).toBe(encodedAdd(batchId, [requestOfSize(128), requestOfSize(128)]));
    expect(planner.size).toBe(0);
  });

  it.each([127, 128, 16_383, 16_384])("fitsAlone is exact at the boundary for a request of %i bytes", (bytes) => {
    const batchId = "批次-😀";
    const exact = encodedAdd(batchId, [requestOfSize(bytes)]);
    expect(new ChunkPlanner({ maxBytes: exact, maxRequests: 1 }, envelopeSize(batchId)).fitsAlone(bytes)).toBe(true);
    expect(new ChunkPlanner({ maxBytes: exact - 1, maxRequests: 1 }, envelopeSize(batchId)).fitsAlone(bytes)).toBe(false);
  });

  it("judges fitsAlone against an empty call, whatever the current call holds", () => {
    const planner = new ChunkPlanner({ maxBytes: 300, maxRequests: 10 }, 0);
    planner.add(200);
    expect(planner.fits(200)).toBe(false);
    expect(planner.fitsAlone(200)).toBe(true);
  });
});
