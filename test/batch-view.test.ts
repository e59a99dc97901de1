import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { viewBatch, type BatchStatus } from "../src/views/batch.js";
import { viewRequestMetadata } from "../src/views/request-metadata.js";
import { BatchRequestMetadataSchema, BatchRequestMetadata_State, BatchSchema } from "../src/core/internal/wire.js";

const now = 1_800_000_000_000;
const at = (ms: number) => ({ seconds: BigInt(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1e6 });
const counts = (numRequests: number, numPending: number, numSuccess = 0, numError = 0, numCancelled = 0) => ({
  numRequests: BigInt(numRequests),
  numPending: BigInt(numPending),
  numSuccess: BigInt(numSuccess),
  numError: BigInt(numError),
  numCancelled: BigInt(numCancelled),
});
const batch = (init: Omit<MessageInitShape<typeof BatchSchema>, "$typeName">) => create(BatchSchema, { batchId: "b1", name: "n", ...init });

describe("viewBatch: status from counts and times", () => {
  const cases: [string, Omit<MessageInitShape<typeof BatchSchema>, "$typeName">, BatchStatus, boolean][] = [
    ["no requests yet", { state: counts(0, 0) }, "empty", false],
    ["a file still loading shows zero of everything", { inputFileId: "file-1", state: counts(0, 0) }, "loading", false],
    ["requests pending", { state: counts(3, 2, 1) }, "processing", false],
    ["nothing pending", { state: counts(3, 0, 2, 1) }, "completed", true],
    ["cancelled by the user", { cancelTime: at(now - 1), state: counts(3, 0, 1, 0, 2) }, "cancelled", true],
    [
      "cancelled by xAI (a file that failed validation)",
      { cancelByXaiMessage: "JSONL file validation failed", inputFileId: "f", state: counts(0, 0) },
      "cancelled",
      true,
    ],
    ["expired with requests cut off", { expireTime: at(now - 1), state: counts(3, 0, 1, 0, 2) }, "expired", true],
    ["expired while pending", { expireTime: at(now - 1), state: counts(3, 1, 2) }, "expired", true],
    ["finished before it expired", { expireTime: at(now - 1), state: counts(3, 0, 3) }, "completed", true],
    ["expiry still ahead", { expireTime: at(now + 60_000), state: counts(3, 3) }, "processing", false],
    ["expired empty", { expireTime: at(now - 1), state: counts(0, 0) }, "expired", true],
  ];
  it.each(cases)("%s", (_what, init, status, done) => {
    expect(viewBatch(batch(init), now)).toMatchObject({ status, done });
  });
});

describe("viewBatch: plain data", () => {
  it("gives counts as numbers, cost in USD and ticks, times as Dates, and JSON without the wire message", () => {
    const raw = batch({
      createTime: at(now - 5_000),
      expireTime: at(now + 86_400_000),
      createApiKeyId: "key-1",
      state: counts(4, 1, 2, 1),
      costBreakdown: {
        totalCostUsdTicks: 123_000_000n,
        endpointCosts: [{ endpoint: "chat", costUsdTicks: 123_000_000n, requestCount: 3n }],
      },
    });
    const view = viewBatch(raw, now);
    expect(view).toMatchObject({
      batchId: "b1",
      status: "processing",
      counts: { total: 4, pending: 1, succeeded: 2, failed: 1, cancelled: 0 },
      costUsd: 0.0123,
      costUsdTicks: 123_000_000,
      costByEndpoint: [{ endpoint: "chat", costUsd: 0.0123, costUsdTicks: 123_000_000, requests: 3 }],
      createApiKeyId: "key-1",
    });
    expect(view.createTime).toEqual(new Date(now - 5_000));
    expect(view.raw).toBe(raw);
    const json = JSON.parse(JSON.stringify(view));
    expect(json).not.toHaveProperty("raw");
    expect(json).toMatchObject({
      status: "processing",
      counts: { total: 4 },
      createTime: new Date(now - 5_000).toISOString(),
      costUsdTicks: 123_000_000,
    });
    expect({ ...view }).not.toHaveProperty("raw");
  });
});

describe("viewRequestMetadata", () => {
  it("names the state and serialises", () => {
    const raw = create(BatchRequestMetadataSchema, {
      batchRequestId: "r1",
      model: "grok-4",
      endpoint: "chat",
      state: BatchRequestMetadata_State.FAILED,
      createTime: at(now),
    });
    const view = viewRequestMetadata(raw);
    expect(view).toMatchObject({ batchRequestId: "r1", status: "failed", createTime: new Date(now), finishTime: undefined });
    expect(view.raw).toBe(raw);
    expect(JSON.parse(JSON.stringify(view))).toEqual({
      batchRequestId: "r1",
      endpoint: "chat",
      model: "grok-4",
      status: "failed",
      createTime: new Date(now).toISOString(),
    });
  });
});
