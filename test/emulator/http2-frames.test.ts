import { describe, expect, it } from "vitest";
import { FrameScanner, type ErrorFrame } from "../../src/emulator/http2-frames.js";

function frame(type: number, streamId: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(9);
  header.writeUIntBE(payload.length, 0, 3);
  header[3] = type;
  header.writeUInt32BE(streamId, 5);
  return Buffer.concat([header, payload]);
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

describe("FrameScanner", () => {
  it("reports the error code of every RST_STREAM and GOAWAY in one chunk", () => {
    const seen: ErrorFrame[] = [];
    new FrameScanner((f) => seen.push(f)).push(wire);
    expect(seen).toEqual(expected);
  });

  it.each([1, 2, 3, 5, 9, 13, 4096])("finds the same frames in chunks of %i bytes", (size) => {
    const seen: ErrorFrame[] = [];
    const scanner = new FrameScanner((f) => seen.push(f));
    for (let at = 0; at < wire.length; at += size) scanner.push(wire.subarray(at, at + size));
    expect(seen).toEqual(expected);
  });
});
