import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create, toBinary } from "@bufbuild/protobuf";
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import { status } from "@grpc/grpc-js";
import { afterAll, describe, expect, it } from "vitest";
import {
  BatchRequestSchema,
  GetCompletionsRequestSchema,
  type BatchRequest,
  type GetCompletionsRequest,
} from "../../src/core/internal/wire.js";
import { chat, chats, grpcFrame, rawCall, useEmulators, type TestClient } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "xai-batch-stored-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const addPath = "/xai_api.BatchMgmt/AddBatchRequests";

/** An AddBatchRequests body whose requests (field 2) are the given encodings, each as it is. */
function addBody(batchId: string, requests: readonly Uint8Array[]): Buffer {
  const writer = new BinaryWriter().tag(1, WireType.LengthDelimited).string(batchId);
  for (const bytes of requests) writer.tag(2, WireType.LengthDelimited).bytes(bytes);
  return Buffer.from(writer.finish());
}

function encoded(request: BatchRequest): Buffer {
  return Buffer.from(toBinary(BatchRequestSchema, request));
}

/** Every page of a batch's results, as the client decoded them. */
async function allPages(client: TestClient, batchId: string, limit: number) {
  const pages = [];
  let paginationToken: string | undefined;
  do {
    const page = await client.call("listBatchResults", { batchId, limit, paginationToken });
    pages.push(page);
    paginationToken = page.paginationToken || undefined;
  } while (paginationToken !== undefined);
  return pages;
}

describe("requests and results kept as bytes", () => {
  const env = useEmulators();

  it("refuses a call with one malformed request inside, as decoding the whole message did: INTERNAL, nothing applied, no rate slot used", async () => {
    const { emu, client, batchId } = await env.withBatch({ limits: { addCallsPerWindow: 1, addWindowMs: 60_000 } });
    const good = encoded(chat("good", "hi"));
    // completion_request (field 2, 3 bytes) holding a model field that announces 5 bytes and has 1.
    const truncatedInside = Buffer.from([0x0a, 0x01, 0x78, 0x12, 0x03, 0x0a, 0x05, 0x61]);
    // batch_request_id that is not UTF-8.
    const notUtf8 = Buffer.from([0x0a, 0x01, 0xff]);
    for (const bad of [truncatedInside, notUtf8]) {
      const { grpcStatus, grpcMessage } = await rawCall(
        emu.url,
        addPath,
        grpcFrame(addBody(batchId, [good, bad, good])),
        "Bearer test-key",
      );
      expect(grpcStatus).toBe(String(status.INTERNAL));
      expect(grpcMessage).toContain("cannot decode the AddBatchRequestsRequest request");
    }
    expect(emu.requestIds(batchId)).toEqual([]);
    // The one call the window allows is still there.
    await client.call("addBatchRequests", { batchId, batchRequests: [chat("later", "hi")] });
    expect(emu.requestIds(batchId)).toEqual(["later"]);
  });

  it("gives back each request as it was sent, unknown fields dropped and generated ids in place, also after a restart", async () => {
    const persistPath = join(dir, "requests.journal");
    const first = await env.start({ persistPath, processing: { requestsPerSecond: 0 } });
    let client = env.client(first);
    const { batchId } = await client.call("createBatch", { name: "b" });
    const withId = chat("mine", "first");
    const withoutId = chat(undefined, "second");
    // Unknown fields at the top (field 99, varint) and inside the chat (field 999, bytes): kept on the wire, never read.
    const unknownTop = new BinaryWriter().tag(99, WireType.Varint).uint32(42).finish();
    const unknownInChat = new BinaryWriter().tag(999, WireType.LengthDelimited).string("abc").finish();
    const chatPayload = Buffer.from(toBinary(GetCompletionsRequestSchema, withId.request.value as GetCompletionsRequest));
    const withUnknowns = new BinaryWriter()
      .tag(1, WireType.LengthDelimited)
      .string("mine")
      .tag(2, WireType.LengthDelimited)
      .bytes(Buffer.concat([chatPayload, unknownInChat]))
      .raw(unknownTop)
      .finish();
    const { grpcStatus } = await rawCall(
      first.url,
      addPath,
      grpcFrame(addBody(batchId, [withUnknowns, encoded(withoutId)])),
      "Bearer test-key",
    );
    expect(grpcStatus).toBe("0");
    const ids = first.requestIds(batchId);
    expect(ids[0]).toBe("mine");
    expect(ids[1]).toMatch(/^req_/);
    const expected = [withId, create(BatchRequestSchema, { ...withoutId, batchRequestId: ids[1] })];
    const readBack = async () =>
      Promise.all(ids.map(async (batchRequestId) => (await client.call("getBatchRequestResult", { batchId, batchRequestId })).request));
    expect(await readBack()).toEqual(expected);
    await first.stop();

    const second = await env.start({ persistPath, processing: { requestsPerSecond: 1000 } });
    client = env.client(second);
    expect(second.requestIds(batchId)).toEqual(ids);
    expect(await readBack()).toEqual(expected);
    await second.waitFor((c) => c.requestsSucceeded === 2);
    const { results } = await client.call("listBatchResults", { batchId });
    expect(
      results.map((r) => [
        r.batchRequestId,
        r.result.case === "response" && r.result.value.response.case === "completionResponse"
          ? r.result.value.response.value.outputs[0]?.message?.content
          : undefined,
      ]),
    ).toEqual([
      ["mine", "echo: first"],
      [ids[1], "echo: second"],
    ]);
  });

  it("serves result pages that agree with each result read alone, the same before and after a restart", async () => {
    const persistPath = join(dir, "results.journal");
    const first = await env.start({ persistPath, processing: { requestsPerSecond: 10_000 } });
    let client = env.client(first);
    const { batchId } = await client.call("createBatch", { name: "r" });
    await client.call("addBatchRequests", {
      batchId,
      batchRequests: [...chats(40, "ok-"), chat("bad", "[fail] please"), ...chats(9, "more-")],
    });
    await first.waitFor((c) => c.requestsSucceeded + c.requestsFailed === 50);
    const pages = await allPages(client, batchId, 7);
    expect(pages.map((p) => p.results.length)).toEqual([7, 7, 7, 7, 7, 7, 7, 1]);
    const results = pages.flatMap((p) => p.results);
    expect(results.map((r) => r.batchRequestId)).toEqual(first.requestIds(batchId));
    expect(results.filter((r) => r.result.case === "error").map((r) => r.batchRequestId)).toEqual(["bad"]);
    for (const result of results) {
      expect((await client.call("getBatchRequestResult", { batchId, batchRequestId: result.batchRequestId })).result).toEqual(result);
    }
    await first.stop();

    const second = await env.start({ persistPath, processing: { requestsPerSecond: 0 } });
    client = env.client(second);
    expect(await allPages(client, batchId, 7)).toEqual(pages);
  });
});
