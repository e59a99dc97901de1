import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import {
  BatchRequestSchema,
  BatchResultSchema,
  PreencodedAddBatchRequestsRequestSchema,
  type BatchRequest,
  type BatchResult,
} from "../core/internal/wire.js";
import { requestTarget, type RequestTarget } from "./endpoints.js";
import { decodeRequest } from "./grpc-service.js";

/**
 * A request as the emulator checks it: the little it reads of it, and its bytes. The store keeps the bytes
 * and decodes a request again only when it is processed or asked for, so the text of hundreds of MB of
 * requests never sits in the heap as strings for the garbage collector to copy and mark.
 */
export interface ReadRequest {
  /** `batch_request_id`, or undefined when it is unset or empty. */
  readonly id: string | undefined;
  /** Undefined when its `request` oneof is unset. */
  readonly target: RequestTarget | undefined;
  /** A chat completion without messages. */
  readonly withoutMessages: boolean;
  /** The encoded BatchRequest, as received (unknown fields included; they are dropped whenever it is decoded). */
  readonly bytes: Uint8Array;
}

/**
 * Decodes an AddBatchRequests message one request at a time: the envelope as PreencodedAddBatchRequestsRequest
 * (its requests left as bytes, views of `bytes`), then each request, which is read and let go before the
 * next. Malformed bytes anywhere are refused as decoding the whole message refused them.
 */
export function decodeAddRequest(bytes: Uint8Array): { batchId: string; requests: ReadRequest[] } {
  const name = "AddBatchRequestsRequest";
  const { batchId, batchRequests } = decodeRequest(PreencodedAddBatchRequestsRequestSchema, bytes, name);
  return { batchId, requests: batchRequests.map((encoded) => readRequest(decodeRequest(BatchRequestSchema, encoded, name), encoded)) };
}

/** What the emulator checks of a decoded request, with its bytes (`toBinary` of it, or the bytes it came from). */
export function readRequest(request: BatchRequest, bytes: Uint8Array): ReadRequest {
  const payload = request.request;
  return {
    id: request.batchRequestId || undefined,
    target: requestTarget(request),
    withoutMessages: payload.case === "completionRequest" && payload.value.messages.length === 0,
    bytes,
  };
}

/**
 * A request's bytes with `batch_request_id` set to `id`, for a request that came without one: the field
 * appended after the others, where a decoder takes it as the field's value (the last one read wins).
 */
export function withRequestId(bytes: Uint8Array, id: string): Uint8Array {
  return new BinaryWriter().raw(bytes).tag(1, WireType.LengthDelimited).string(id).finish();
}

/** A stored request, decoded (unknown fields dropped, as every request the emulator decodes). */
export function decodeStoredRequest(bytes: Uint8Array): BatchRequest {
  return fromBinary(BatchRequestSchema, bytes, { readUnknownFields: false });
}

/**
 * A result as the store keeps it: encoded once, when the model answers (or the journal is read), so a page
 * of results is served by copying bytes instead of encoding every result again for every read.
 */
export interface StoredResult {
  /** The encoded BatchResult. */
  readonly bytes: Uint8Array;
  readonly succeeded: boolean;
  /** What a succeeded result cost; 0 for a failed one. */
  readonly costUsdTicks: bigint;
}

/** Encodes a result for the store. */
export function storedResult(result: BatchResult): StoredResult {
  // Copied into Node's buffer pool: one small allocation per result instead of an ArrayBuffer each.
  return { ...resultFacts(result), bytes: Buffer.from(toBinary(BatchResultSchema, result)) };
}

/** A result read back from its bytes (a journal's), with the facts the store counts. */
export function readStoredResult(bytes: Uint8Array): StoredResult {
  return { ...resultFacts(decodeStoredResult(bytes)), bytes };
}

/** A stored result, decoded. */
export function decodeStoredResult(bytes: Uint8Array): BatchResult {
  return fromBinary(BatchResultSchema, bytes, { readUnknownFields: false });
}

function resultFacts(result: BatchResult): { succeeded: boolean; costUsdTicks: bigint } {
  if (result.result.case !== "response") return { succeeded: false, costUsdTicks: 0n };
  return { succeeded: true, costUsdTicks: result.result.value.response.value?.usage?.costInUsdTicks ?? 0n };
}
