import { envelopeSize, fieldSize, writeVarint } from "../add/chunking.js";

/** The gRPC length prefix before each message: a flags byte (0: not compressed) and a big-endian uint32 length. */
export const frameHeaderBytes = 5;

/** Bytes of the AddBatchRequestsRequest carrying `batchId` and these encoded requests, as toBinary writes it. */
export function addMessageSize(batchId: string, requests: readonly Uint8Array[]): number {
  let size = envelopeSize(batchId);
  for (const request of requests) size += fieldSize(request.length);
  return size;
}

/**
 * Writes the gRPC frame of an AddBatchRequestsRequest into `frame`, which must be exactly `frameHeaderBytes`
 * + `addMessageSize` long: the bytes Connect would send for it (uncompressed), with the requests copied
 * from the bytes they were measured as. protobuf-es writes fields in number order and leaves an empty
 * proto3 string out, so batch_id comes first and only when set.
 */
export function writeAddFrame(frame: Buffer, batchId: string, requests: readonly Uint8Array[]): void {
  frame[0] = 0;
  frame.writeUInt32BE(frame.length - frameHeaderBytes, 1);
  let at = frameHeaderBytes;
  if (batchId !== "") {
    frame[at++] = 0x0a;
    at = writeVarint(frame, at, Buffer.byteLength(batchId, "utf8"));
    at += frame.write(batchId, at, "utf8");
  }
  for (const request of requests) {
    frame[at++] = 0x12;
    at = writeVarint(frame, at, request.length);
    frame.set(request, at);
    at += request.length;
  }
  if (at !== frame.length) throw new Error(`writeAddFrame: wrote ${at} bytes into a frame of ${frame.length}`);
}
