import { Metadata, status } from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { failure, useEmulators } from "./helpers.js";

describe("authentication and teams", () => {
  const env = useEmulators();

  it("refuses a call without authorization with UNAUTHENTICATED", async () => {
    const emu = await env.start();
    const client = env.client(emu, null);
    const error = await failure(client.call("listBatches", {}));
    expect(error.code).toBe(status.UNAUTHENTICATED);
    expect(emu.counters().rejections.auth).toBe(1);
  });

  it.each(["Basic s3cr3t", "Bearer", "Bearer s3cr3t extra", "s3cr3t"])(
    "refuses malformed authorization %j without echoing it",
    async (value) => {
      const emu = await env.start();
      const client = env.client(emu);
      const metadata = new Metadata();
      metadata.set("authorization", value);
      const error = await failure(client.call("listBatches", {}, metadata));
      expect(error.code).toBe(status.UNAUTHENTICATED);
      expect(error.details).not.toContain("s3cr3t");
    },
  );

  it("refuses a key outside the allow-list with PERMISSION_DENIED and never echoes the key", async () => {
    const emu = await env.start({ apiKeys: ["good-key"] });
    const error = await failure(env.client(emu, "xai-SECRET-123").call("listBatches", {}));
    expect(error.code).toBe(status.PERMISSION_DENIED);
    expect(error.details).not.toContain("SECRET");
    await expect(env.client(emu, "good-key").call("listBatches", {})).resolves.toBeDefined();
  });

  it("shows create_api_key_id as a non-secret id of the key", async () => {
    const emu = await env.start();
    const batch = await env.client(emu, "xai-SECRET-123").call("createBatch", { name: "b" });
    expect(batch.createApiKeyId).toMatch(/^key_[0-9a-f]{12}$/);
    expect(batch.createApiKeyId).not.toContain("SECRET");
  });

  it("hides a batch from other teams (NOT_FOUND) and shares it within a team", async () => {
    const emu = await env.start({ apiKeys: ["a1", "b1"], teams: { a1: "alpha", a2: "alpha" } });
    const a1 = env.client(emu, "a1");
    const a2 = env.client(emu, "a2");
    const b1 = env.client(emu, "b1");
    const batch = await a1.call("createBatch", { name: "mine" });
    expect((await a2.call("getBatch", { batchId: batch.batchId })).name).toBe("mine");
    expect((await a2.call("listBatches", {})).batches.map((b) => b.batchId)).toEqual([batch.batchId]);
    for (const call of [
      b1.call("getBatch", { batchId: batch.batchId }),
      b1.call("cancelBatch", { batchId: batch.batchId }),
      b1.call("addBatchRequests", { batchId: batch.batchId, batchRequests: [] }),
      b1.call("listBatchResults", { batchId: batch.batchId }),
      b1.call("listBatchRequestMetadata", { batchId: batch.batchId }),
      b1.call("getBatchRequestResult", { batchId: batch.batchId, batchRequestId: "x" }),
    ]) {
      expect((await failure(call)).code).toBe(status.NOT_FOUND);
    }
    expect((await b1.call("listBatches", {})).batches).toEqual([]);
  });

  it("shares limits within a team", async () => {
    const emu = await env.start({ teams: { a1: "alpha", a2: "alpha" }, limits: { createIntervalMs: 60_000 } });
    await env.client(emu, "a1").call("createBatch", { name: "one" });
    expect((await failure(env.client(emu, "a2").call("createBatch", { name: "two" }))).code).toBe(status.RESOURCE_EXHAUSTED);
    await expect(env.client(emu, "other").call("createBatch", { name: "three" })).resolves.toBeDefined();
  });
});
