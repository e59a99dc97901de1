import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChatRequest } from "../../src/requests/chat.js";
import { InputError } from "../../src/core/errors.js";
import { ByteArena } from "../../src/internal/wire/byte-arena.js";
import { RequestEncoder } from "../../src/internal/wire/encoded-request.js";
import { fastPath } from "../../src/internal/wire/fast-path.js";
import { withId } from "../../src/internal/wire/request-bytes.js";
import { toBatchRequest } from "../../src/requests/add-input.js";
import { user } from "../../src/requests/messages.js";
import { BatchRequestSchema } from "../../src/core/internal/wire.js";

const anyModel = (input: unknown, index: number) => toBatchRequest(input, index, undefined);
const chat = (text: string, batchRequestId?: string) => new ChatRequest("grok-4", { batchRequestId }).append(user(text));

// Sizes either side of the varint boundaries of the length prefix (127/128, 16383/16384 bytes).
const inputs = [
  chat("a", "given-1"),
  chat("x".repeat(90)),
  chat("y".repeat(120)),
  chat("z".repeat(16_360), "given-2"),
  chat("w".repeat(16_400)),
  chat("x".repeat(90)), // the same content again: a second, distinct automatic id
  chat("é".repeat(40), "given-3"),
];

// Both ways to the same bytes: the fast path cuts one toBinary of a group and writes automatic ids in
// front (request-bytes.ts); the general path encodes each request, and again with its automatic id.
describe.each([true, false])("RequestEncoder, fast path on: %s", (on) => {
  let before: boolean;
  beforeAll(() => {
    before = fastPath.on;
    fastPath.on = on;
  });
  afterAll(() => {
    fastPath.on = before;
  });

  it("encodes a group exactly as it encodes each request alone, ids included", () => {
    const one = new RequestEncoder(anyModel, true);
    const many = new RequestEncoder(anyModel, true);
    const alone = inputs.map((input, i) => one.encodeMany([input], i)[0]!);
    const grouped = many.encodeMany(inputs, 0);
    expect(grouped.map((r) => r.id)).toEqual(alone.map((r) => r.id));
    expect(grouped.map((r) => Buffer.from(r.bytes).toString("hex"))).toEqual(alone.map((r) => Buffer.from(r.bytes).toString("hex")));
    expect(grouped.map((r) => r.index)).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it("gives each request the bytes protobuf-es gives it, with its id set", () => {
    const encoded = new RequestEncoder(anyModel, true).encodeMany(inputs, 10);
    encoded.forEach((r, i) => {
      const decoded = fromBinary(BatchRequestSchema, r.bytes);
      expect(decoded.batchRequestId).toBe(r.id);
      const expected = inputs[i]!.toBatchRequest();
      expected.batchRequestId = r.id;
      expect(Buffer.from(r.bytes).equals(Buffer.from(toBinary(BatchRequestSchema, expected)))).toBe(true);
    });
    expect(encoded[1]!.id).toMatch(/^auto-[0-9a-f]{24}$/);
    expect(encoded[5]!.id).toBe(`${encoded[1]!.id}-2`);
  });

  it("leaves ids unset when automatic ids are off", () => {
    const encoded = new RequestEncoder(anyModel, false).encodeMany([chat("q")], 0);
    expect(encoded[0]!.id).toBeUndefined();
    expect(fromBinary(BatchRequestSchema, encoded[0]!.bytes).batchRequestId).toBeUndefined();
  });

  it("refuses an id repeated across groups, naming the request", () => {
    const encoder = new RequestEncoder(anyModel, true);
    encoder.encodeMany([chat("a", "dup")], 0);
    expect(() => encoder.encodeMany([chat("b"), chat("c", "dup")], 1)).toThrow(InputError);
    expect(() => new RequestEncoder(anyModel, true).encodeMany([chat("a", "d"), chat("b", "d")], 0)).toThrow(
      /request #1 \(id "d"\): repeats an id/,
    );
  });

  it("with onInvalid, leaves out refused requests and repeated ids and encodes the rest", () => {
    const refused: [number | undefined, string | undefined][] = [];
    const encoder = new RequestEncoder(anyModel, true, (error) => refused.push([error.index, error.batchRequestId]));
    const encoded = encoder.encodeMany([chat("a", "one"), { batchRequestId: "empty" }, chat("b", "one"), chat("c", "two")], 0);
    expect(encoded.map((r) => [r.index, r.id])).toEqual([
      [0, "one"],
      [3, "two"],
    ]);
    expect(refused).toEqual([
      [1, "empty"],
      [2, "one"],
    ]);
  });
});

describe("withId", () => {
  it("gives the bytes of the request encoded with that id, one after another in shared memory", () => {
    const arena = new ByteArena();
    const ids = ["x".repeat(200), "auto-0123456789abcdef01234567", "ünïcödé-😀", "a"];
    const written = ids.map((id, i) => {
      const request = chat(`hello ${"w".repeat(i * 100_000)}`).toBatchRequest();
      const payload = toBinary(BatchRequestSchema, request);
      request.batchRequestId = id;
      return { bytes: withId(id, payload, arena), expected: toBinary(BatchRequestSchema, request) };
    });
    for (const { bytes, expected } of written) expect(Buffer.from(bytes).equals(Buffer.from(expected))).toBe(true);
  });
});
