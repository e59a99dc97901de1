import { describe, expect, it } from "vitest";
import { declaredLengthScanner, errorFrameScanner, type ErrorFrame } from "../../src/emulator/http2-frames.js";
import { http2Frame } from "./helpers.js";

function frame(type: number, streamId: number, payload: Buffer, flags = 0): Buffer {
  return http2Frame(type, flags, streamId, payload);
}

function code(value: number, before = 0, after = 0): Buffer {
  const payload = Buffer.alloc(before + 4 + after, 0xaa);
  payload.writeUInt32BE(value, before);
  return payload;
}

// SETTINGS, a large DATA frame, RST_STREAM CANCEL, an empty frame, GOAWAY PROTOCOL_ERROR with debug data.
const wire = Buffer.concat([
  frame(0x4, 0, Buffer.alloc(12)),
  frame(0x0, 1, Buffer.alloc(70_000, 7)),
  frame(0x3, 1, code(8)),
  frame(0x4, 0, Buffer.alloc(0)),
  frame(0x7, 0, code(1, 4, 20)),
]);
const expected: ErrorFrame[] = [
  { type: "RST_STREAM", errorCode: 8 },
  { type: "GOAWAY", errorCode: 1 },
];

/** A gRPC message prefix declaring `length`, then `body` bytes of it. */
function grpcMessage(length: number, body: number): Buffer {
  const prefix = Buffer.alloc(5);
  prefix.writeUInt32BE(length, 1);
  return Buffer.concat([prefix, Buffer.alloc(body, 1)]);
}

// A client: preface, SETTINGS, then streams 1 (one DATA frame), 3 (padded), 5 (two DATA frames), 7 (DATA shorter than a prefix).
const clientWire = Buffer.concat([
  Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"),
  frame(0x4, 0, Buffer.alloc(6)),
  frame(0x1, 1, Buffer.alloc(20), 0x4),
  frame(0x0, 1, grpcMessage(1000, 10), 0x1),
  frame(0x0, 3, Buffer.concat([Buffer.from([2]), grpcMessage(77, 3), Buffer.alloc(2)]), 0x8 | 0x1),
  frame(0x0, 5, grpcMessage(70_000, 40_000)),
  frame(0x0, 5, grpcMessage(999_999, 30_000), 0x1),
  frame(0x0, 7, Buffer.alloc(3), 0x1),
]);

describe("errorFrameScanner", () => {
  it("reports the error code of every RST_STREAM and GOAWAY in one chunk", () => {
    const seen: ErrorFrame[] = [];
    errorFrameScanner((f) => seen.push(f)).push(wire);
    expect(seen).toEqual(expected);
  });

  it.each([1, 2, 3, 5, 9, 13, 4096])("finds the same frames in chunks of %i bytes", (size) => {
    const seen: ErrorFrame[] = [];
    const scanner = errorFrameScanner((f) => seen.push(f));
    for (let at = 0; at < wire.length; at += size) scanner.push(wire.subarray(at, at + size));
    expect(seen).toEqual(expected);
  });
});

describe("declaredLengthScanner", () => {
  it.each([1, 4, 9, 24, 100, 100_000])("reports the length each stream's first DATA frame declares, in chunks of %i bytes", (size) => {
    const declared: number[] = [];
    const scanner = declaredLengthScanner((length) => declared.push(length));
    for (let at = 0; at < clientWire.length; at += size) scanner.push(clientWire.subarray(at, at + size));
    expect(declared).toEqual([1000, 77, 70_000]);
  });
});
