import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { encodeEnvelope } from "@connectrpc/connect/protocol";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addMessageSize, frameHeaderBytes, writeAddFrame } from "../../src/internal/wire/add-frame.js";
import {
  AddBatchRequestsRequestSchema,
  BatchRequestSchema,
  PreencodedAddBatchRequestsRequestSchema,
} from "../../src/core/internal/wire.js";

/** What Connect sends for the message: toBinary, then its envelope. */
function connectFrame(batchId: string, requests: Uint8Array[]): Buffer {
  return Buffer.from(
    encodeEnvelope(
      0,
      toBinary(
        PreencodedAddBatchRequestsRequestSchema,
        create(PreencodedAddBatchRequestsRequestSchema, { batchId, batchRequests: requests }),
      ),
    ),
  );
}

function frame(batchId: string, requests: Uint8Array[]): Buffer {
  const out = Buffer.alloc(frameHeaderBytes + addMessageSize(batchId, requests));
  writeAddFrame(out, batchId, requests);
  return out;
}

/** Ids of every UTF-8 length, lone surrogates (written as U+FFFD by both) and the empty one (left out). */
const batchId = fc.oneof(
  fc.string({ unit: "binary", maxLength: 30 }),
  fc.string({ unit: fc.constantFrom("a", "é", "\u0800", "😀", "\ud800", "\udfff"), maxLength: 20 }),
  fc.string({ unit: "binary-ascii", minLength: 120, maxLength: 140 }),
  fc.constant(""),
);
/** Requests either side of the 1- and 2-byte length prefixes, empty ones included, some views into a larger buffer. */
const request = fc.oneof(
  fc.uint8Array({ maxLength: 200 }),
  fc.integer({ min: 16_370, max: 16_400 }).map((n) => new Uint8Array(n).fill(7)),
  fc.tuple(fc.uint8Array({ minLength: 20, maxLength: 60 }), fc.nat(10)).map(([b, at]) => b.subarray(at, at + 5)),
);

describe("writeAddFrame", () => {
  it("writes byte for byte the frame Connect sends for the same message", () => {
    fc.assert(
      fc.property(batchId, fc.array(request, { maxLength: 12 }), (id, requests) => {
        expect(frame(id, requests).equals(connectFrame(id, requests))).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  it("is an AddBatchRequestsRequest holding the requests as they were encoded", () => {
    const requests = ["a", undefined, "x".repeat(300)].map((id) =>
      toBinary(BatchRequestSchema, create(BatchRequestSchema, { batchRequestId: id })),
    );
    const out = frame("batch-1", requests);
    expect(out[0]).toBe(0);
    expect(out.readUInt32BE(1)).toBe(out.length - frameHeaderBytes);
    const decoded = fromBinary(AddBatchRequestsRequestSchema, out.subarray(frameHeaderBytes));
    expect(decoded.batchId).toBe("batch-1");
    expect(decoded.batchRequests.map((r) => toBinary(BatchRequestSchema, r))).toEqual(requests);
  });

  it("refuses a frame of the wrong size rather than send a torn message", () => {
    expect(() => writeAddFrame(Buffer.alloc(frameHeaderBytes + 20), "b", [new Uint8Array(4)])).toThrow(/wrote/);
  });
});
