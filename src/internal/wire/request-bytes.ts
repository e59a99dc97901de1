import { varintSize, writeVarint } from "../add/chunking.js";
import type { ByteArena } from "./byte-arena.js";

// RequestEncoder's edits of encoded requests on the fast path (see fast-path.ts); the general path
// encodes each request whole with toBinary instead.

/** The encoded requests of an AddBatchRequestsRequest that has no batch_id: each field 2, unwrapped. */
export function cutRequests(message: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let at = 0;
  while (at < message.length) {
    if (message[at++] !== 0x12) throw new Error("cutRequests: expected only field 2 (batch_requests)");
    let length = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = message[at++]!;
      length += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) break;
    }
    out.push(message.subarray(at, at + length));
    at += length;
  }
  return out;
}

/**
 * Prepends field 1 (batch_request_id) to an encoded BatchRequest that has none, written into `arena`.
 * protobuf-es writes fields in number order, so the result is byte-for-byte what encoding the request
 * with its id would give.
 */
export function withId(id: string, payload: Uint8Array, arena: ByteArena): Uint8Array {
  const idBytes = Buffer.byteLength(id, "utf8");
  arena.reserve(1 + varintSize(idBytes) + idBytes + payload.length);
  let at = arena.used;
  arena.chunk[at++] = 0x0a;
  at = writeVarint(arena.chunk, at, idBytes);
  at += arena.text.write(id, at, "utf8");
  arena.chunk.set(payload, at);
  return arena.commit(at + payload.length);
}
