import { create } from "@bufbuild/protobuf";
import { status } from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { BadRequestSchema, BatchRequestSchema } from "../../src/core/internal/wire.js";
import { chat, chats, detail, failure, useEmulators } from "./helpers.js";

describe("AddBatchRequests", () => {
  const env = useEmulators();

  it("applies nothing of a call with one model that batches do not serve, naming the model and the request", async () => {
    const { emu, client, batchId } = await env.withBatch();
    const requests = [...chats(3), chat("odd", "hi", "grok-nonexistent"), ...chats(2, "s")];
    const error = await failure(client.call("addBatchRequests", { batchId, batchRequests: requests }));
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.details).toContain('model "grok-nonexistent"');
    expect(error.details).toContain('batch_requests[3] (batch_request_id "odd")');
    expect(detail(error, BadRequestSchema)?.fieldViolations.map((v) => v.field)).toEqual(["batch_requests[3].completion_request.model"]);
    expect(emu.requestIds(batchId)).toEqual([]);
    expect(emu.counters().rejections.invalid).toBe(1);
  });

  it("accepts the configured models only", async () => {
    const { client, batchId } = await env.withBatch({ models: ["my-model"] });
    await client.call("addBatchRequests", { batchId, batchRequests: [chat("a", "hi", "my-model")] });
    expect((await failure(client.call("addBatchRequests", { batchId, batchRequests: [chat("b", "hi", "grok-4")] }))).code).toBe(
      status.INVALID_ARGUMENT,
    );
  });

  it("refuses a request without payload, naming its index", async () => {
    const { emu, client, batchId } = await env.withBatch();
    const empty = create(BatchRequestSchema, {});
    const error = await failure(client.call("addBatchRequests", { batchId, batchRequests: [chat("a", "hi"), empty] }));
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.details).toContain("batch_requests[1] has no request");
    expect(emu.requestIds(batchId)).toEqual([]);
  });

  it("refuses a chat completion without messages", async () => {
    const { client, batchId } = await env.withBatch();
    const noMessages = create(BatchRequestSchema, {
      batchRequestId: "m",
      request: { case: "completionRequest", value: { model: "grok-4" } },
    });
    const error = await failure(client.call("addBatchRequests", { batchId, batchRequests: [noMessages] }));
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.details).toContain("without messages");
  });

  it("refuses an id the batch already holds with ALREADY_EXISTS and applies nothing of that call", async () => {
    const { emu, client, batchId } = await env.withBatch();
    await client.call("addBatchRequests", { batchId, batchRequests: chats(3) });
    const error = await failure(client.call("addBatchRequests", { batchId, batchRequests: [chat("new", "hi"), chat("r1", "again")] }));
    expect(error.code).toBe(status.ALREADY_EXISTS);
    expect(error.details).toContain('"r1" already exists');
    expect(emu.requestIds(batchId)).toEqual(["r0", "r1", "r2"]);
    expect(emu.counters().rejections.duplicate).toBe(1);
  });

  it("refuses an id given twice in one call", async () => {
    const { emu, client, batchId } = await env.withBatch();
    const error = await failure(
      client.call("addBatchRequests", { batchId, batchRequests: [chat("x", "1"), chat("y", "2"), chat("x", "3")] }),
    );
    expect(error.code).toBe(status.ALREADY_EXISTS);
    expect(error.details).toContain('"x" is given twice in this call (batch_requests[0] and batch_requests[2])');
    expect(emu.requestIds(batchId)).toEqual([]);
  });

  it("generates unique ids for requests without one", async () => {
    const { emu, client, batchId } = await env.withBatch();
    await client.call("addBatchRequests", { batchId, batchRequests: [chat(undefined, "a"), chat("mine", "b"), chat(undefined, "c")] });
    await client.call("addBatchRequests", { batchId, batchRequests: [chat(undefined, "d")] });
    const ids = emu.requestIds(batchId);
    expect(ids).toHaveLength(4);
    expect(ids[1]).toBe("mine");
    expect(new Set(ids).size).toBe(4);
    const metadata = await client.call("listBatchRequestMetadata", { batchId });
    expect(metadata.batchRequestMetadata.map((m) => m.batchRequestId)).toEqual(ids);
    const one = await client.call("getBatchRequestResult", { batchId, batchRequestId: ids[0]! });
    expect(one.request?.batchRequestId).toBe(ids[0]);
  });

  it("answers NOT_FOUND for an unknown batch and FAILED_PRECONDITION for a cancelled one", async () => {
    const { client, batchId } = await env.withBatch();
    expect((await failure(client.call("addBatchRequests", { batchId: "batch_nope", batchRequests: chats(1) }))).code).toBe(
      status.NOT_FOUND,
    );
    await client.call("cancelBatch", { batchId });
    const error = await failure(client.call("addBatchRequests", { batchId, batchRequests: chats(1) }));
    expect(error.code).toBe(status.FAILED_PRECONDITION);
    expect(error.details).toContain("cancelled");
  });

  it("records endpoint and model per request, and returns the original request while it is pending", async () => {
    const { client, batchId } = await env.withBatch();
    const image = create(BatchRequestSchema, {
      batchRequestId: "img",
      request: { case: "imageRequest", value: { model: "grok-2-image-1212", prompt: "a cat" } },
    });
    const video = create(BatchRequestSchema, {
      batchRequestId: "vid",
      request: { case: "videoRequest", value: { model: "grok-imagine-video", prompt: "a dog" } },
    });
    const extension = create(BatchRequestSchema, {
      batchRequestId: "ext",
      request: { case: "videoExtensionRequest", value: { model: "grok-imagine-video", prompt: "more" } },
    });
    await client.call("addBatchRequests", { batchId, batchRequests: [chat("c", "hi"), image, video, extension] });
    const { batchRequestMetadata } = await client.call("listBatchRequestMetadata", { batchId });
    expect(batchRequestMetadata.map((m) => [m.batchRequestId, m.endpoint, m.model])).toEqual([
      ["c", "chat.completions", "grok-4"],
      ["img", "image.generations", "grok-2-image-1212"],
      ["vid", "video.generations", "grok-imagine-video"],
      ["ext", "video.extensions", "grok-imagine-video"],
    ]);
    const pending = await client.call("getBatchRequestResult", { batchId, batchRequestId: "img" });
    expect(pending.request?.request.case).toBe("imageRequest");
    expect(pending.result).toBeUndefined();
    expect((await failure(client.call("getBatchRequestResult", { batchId, batchRequestId: "nope" }))).code).toBe(status.NOT_FOUND);
  });
});
