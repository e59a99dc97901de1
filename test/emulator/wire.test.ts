import { create, toBinary } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { status } from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { BatchMgmt, BadRequestSchema, AddBatchRequestsRequestSchema, RetryInfoSchema } from "../../src/core/internal/wire.js";
import { chat, chats, grpcFrame as frame, rawCall, useEmulators } from "./helpers.js";

describe("the wire", () => {
  const env = useEmulators();

  it("answers garbage and truncated messages with a gRPC error and keeps serving", async () => {
    const emu = await env.start();
    const client = env.client(emu);
    const valid = Buffer.from(
      toBinary(AddBatchRequestsRequestSchema, create(AddBatchRequestsRequestSchema, { batchId: "batch_x".repeat(10) })),
    );
    // grpc-js answers a message it cannot decode INTERNAL, and a stream that ends inside a message
    // UNIMPLEMENTED ("received no request message"); neither reaches a handler.
    const cases: [Buffer, number][] = [
      [frame(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])), status.INTERNAL],
      [frame(valid.subarray(0, valid.length - 5)), status.INTERNAL],
      [frame(Buffer.from("not protobuf at all, just text")), status.INTERNAL],
      [frame(valid, valid.length + 20), status.UNIMPLEMENTED],
      [Buffer.from([0x00, 0x00]), status.UNIMPLEMENTED],
    ];
    for (const [body, code] of cases) {
      const { grpcStatus } = await rawCall(emu.url, "/xai_api.BatchMgmt/GetBatch", body);
      expect(grpcStatus, body.toString("hex")).toBe(String(code));
    }
    const unknownMethod = await rawCall(emu.url, "/xai_api.BatchMgmt/Nope", frame(valid));
    expect(unknownMethod.grpcStatus).toBe(String(status.UNIMPLEMENTED));
    await expect(client.call("listBatches", {})).resolves.toBeDefined();
  });

  it("interoperates with the Connect client: calls, bigint fields, status details", async () => {
    const emu = await env.start({ limits: { addCallsPerWindow: 1, addWindowMs: 60_000 } });
    const client = createClient(BatchMgmt, createGrpcTransport({ baseUrl: emu.url }));
    const headers = { headers: { authorization: "Bearer connect-key" } };
    const batch = await client.createBatch({ name: "via connect" }, headers);
    await client.addBatchRequests({ batchId: batch.batchId, batchRequests: chats(3) }, headers);
    await emu.waitFor((c) => c.requestsSucceeded === 3);
    expect((await client.getBatch({ batchId: batch.batchId }, headers)).state?.numSuccess).toBe(3n);

    const limited = await client
      .addBatchRequests({ batchId: batch.batchId, batchRequests: [chat("x", "y")] }, headers)
      .catch((e: unknown) => ConnectError.from(e));
    expect(limited).toBeInstanceOf(ConnectError);
    const error = limited as ConnectError;
    expect(error.code).toBe(Code.ResourceExhausted);
    expect(error.findDetails(RetryInfoSchema)[0]?.retryDelay?.seconds).toBeGreaterThan(0n);

    const badPage = await client.listBatches({ limit: 5000 }, headers).catch((e: unknown) => ConnectError.from(e));
    expect((badPage as ConnectError).code).toBe(Code.InvalidArgument);
    expect((badPage as ConnectError).findDetails(BadRequestSchema)[0]?.fieldViolations[0]?.field).toBe("limit");

    const unauthenticated = await client.listBatches({}).catch((e: unknown) => ConnectError.from(e));
    expect((unauthenticated as ConnectError).code).toBe(Code.Unauthenticated);
  });

  it("lets a Connect client go on after dropConnections", async () => {
    const emu = await env.start();
    const client = createClient(BatchMgmt, createGrpcTransport({ baseUrl: emu.url }));
    const headers = { headers: { authorization: "Bearer k" } };
    await client.listBatches({}, headers);
    emu.dropConnections();
    // A call racing the GOAWAY may be refused unprocessed (REFUSED_STREAM, safe to retry); the call
    // after it gets a new connection.
    const racing = await client.listBatches({}, headers).catch((e: unknown) => ConnectError.from(e));
    if (racing instanceof ConnectError) expect(racing.rawMessage).toMatch(/REFUSED_STREAM/);
    await expect(client.listBatches({}, headers)).resolves.toBeDefined();
  });
});
