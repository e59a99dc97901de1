import { toBinary } from "@bufbuild/protobuf";
import { createHash } from "node:crypto";
import { InputError } from "../errors.js";
import { BatchRequestSchema } from "../wire.js";
import { requestName, toBatchRequest, type AddInput } from "./batch-request.js";
import { varintSize } from "./chunking.js";

/** A request ready for the wire: its id and its encoded bytes. */
export interface EncodedRequest {
  /** Position in the caller's input, for error messages. */
  readonly index: number;
  /** The batch_request_id it is sent with; undefined only when automatic ids are off and the caller gave none. */
  readonly id: string | undefined;
  /** The encoded xai_api.BatchRequest. */
  readonly bytes: Uint8Array;
}

/** Prefix of ids the library assigns, so they are told apart from the caller's own. */
export const autoIdPrefix = "auto-";

/**
 * Validates, identifies and encodes the requests of one add, each exactly once. Requests without an id
 * get one derived from their content (and how often that content occurred before in this add), so
 * re-running the same input yields the same ids and the server can tell what it already holds.
 * Remembers every id of the add to refuse a repeated one before it reaches the server.
 */
export class RequestEncoder {
  private readonly seen = new Set<string>();

  constructor(
    private readonly models: ReadonlySet<string> | undefined,
    private readonly autoIds: boolean,
  ) {}

  encode(input: AddInput, index: number): EncodedRequest {
    const request = toBatchRequest(input, index, this.models);
    if (request.batchRequestId !== undefined) {
      if (this.seen.has(request.batchRequestId)) {
        throw new InputError(`${requestName(request, index)} repeats an id used earlier in this add; ids must be unique within a batch.`);
      }
      this.seen.add(request.batchRequestId);
      return { index, id: request.batchRequestId, bytes: toBinary(BatchRequestSchema, request) };
    }
    const payload = toBinary(BatchRequestSchema, request);
    if (!this.autoIds) return { index, id: undefined, bytes: payload };
    const id = this.contentId(payload);
    return { index, id, bytes: withId(id, payload) };
  }

  private contentId(payload: Uint8Array): string {
    const base = autoIdPrefix + createHash("sha256").update(payload).digest("hex").slice(0, 24);
    let id = base;
    for (let n = 2; this.seen.has(id); n++) id = `${base}-${n}`;
    this.seen.add(id);
    return id;
  }
}

/**
 * Prepends field 1 (batch_request_id) to an encoded BatchRequest that has none. protobuf-es writes fields
 * in number order, so the result is byte-for-byte what encoding the request with its id would give.
 */
export function withId(id: string, payload: Uint8Array): Uint8Array {
  const idBytes = Buffer.from(id, "utf8");
  const out = new Uint8Array(1 + varintSize(idBytes.length) + idBytes.length + payload.length);
  let at = 0;
  out[at++] = 0x0a;
  for (let n = idBytes.length; ; ) {
    if (n < 0x80) {
      out[at++] = n;
      break;
    }
    out[at++] = (n & 0x7f) | 0x80;
    n >>>= 7;
  }
  out.set(idBytes, at);
  out.set(payload, at + idBytes.length);
  return out;
}
