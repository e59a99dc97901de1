/**
 * Whether the client runs the hand-written wire code of this folder, the fast path: requests encoded by
 * chat-encoder.ts and request-bytes.ts, add calls framed by add-frames.ts, results read by
 * result-reader.ts. Off, it runs on the general path alone: protobuf-es's toBinary for requests,
 * fromBinary and viewResult for results (decoded-result.ts), Connect's createGrpcTransport and its own
 * serialiser for every call. Both put the same bytes on the wire and give the same views
 * (test/fast-path.test.ts). Either way add calls and result pages travel as the messages of
 * proto/xai_batch/v1/preencoded.proto: generated code, which protobuf-es reads and writes as any other.
 *
 * `XAI_BATCH_FAST_PATH=off` turns it off as the library loads. It is an escape hatch: the fast path
 * mirrors protobuf-es's encoding and builds on Connect's lower-level entry points (protocol-grpc's
 * createTransport, UniversalClientFn), which an upgrade of either may change under it. Tests flip `on`
 * to run one scenario both ways. A client consults it when it opens its connection, an add when it
 * starts, a page of results when its views are built.
 */
export const fastPath = { on: process.env.XAI_BATCH_FAST_PATH?.trim().toLowerCase() !== "off" };
