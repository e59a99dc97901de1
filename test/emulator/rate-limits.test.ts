import { create, toBinary } from "@bufbuild/protobuf";
import { status } from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { AddBatchRequestsRequestSchema } from "../../src/core/internal/wire.js";
import { chat, chats, failure, retryDelayMs, sleep, useEmulators } from "./helpers.js";

describe("per-team limits", () => {
  const env = useEmulators();

  it("admits exactly N AddBatchRequests per window across batches, then says how long to wait", async () => {
    const windowMs = 1000;
    const emu = await env.start({ limits: { addCallsPerWindow: 20, addWindowMs: windowMs } });
    const client = env.client(emu);
    const batches = [await client.call("createBatch", { name: "a" }), await client.call("createBatch", { name: "b" })];
    const started = Date.now();
    for (let i = 0; i < 20; i++) {
      await client.call("addBatchRequests", { batchId: batches[i % 2]!.batchId, batchRequests: [chat(`r${i}`, "hi")] });
    }
    const refused = await failure(client.call("addBatchRequests", { batchId: batches[0]!.batchId, batchRequests: [chat("late", "hi")] }));
    const elapsed = Date.now() - started;
    expect(refused.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(refused.details).toMatch(/20 AddBatchRequests calls per 1000 ms/);
    const delay = retryDelayMs(refused)!;
    expect(delay).toBeLessThanOrEqual(windowMs);
    expect(delay).toBeGreaterThanOrEqual(windowMs - elapsed - 5);

    // Refused calls do not count: hammering changes nothing about when the next call is admitted.
    for (let i = 0; i < 5; i++) await failure(client.call("addBatchRequests", { batchId: batches[1]!.batchId, batchRequests: [] }));
    await sleep(Math.max(0, delay - (Date.now() - started - elapsed)));
    await client.call("addBatchRequests", { batchId: batches[0]!.batchId, batchRequests: [chat("late", "hi")] });
    expect(emu.counters().rejections.rate).toBe(6);
    expect([...emu.requestIds(batches[0]!.batchId)]).toContain("late");
  });

  it("admits one CreateBatch per interval and tells the remaining time", async () => {
    const emu = await env.start({ limits: { createIntervalMs: 400 } });
    const client = env.client(emu);
    const started = Date.now();
    await client.call("createBatch", { name: "one" });
    const refused = await failure(client.call("createBatch", { name: "two" }));
    expect(refused.code).toBe(status.RESOURCE_EXHAUSTED);
    const delay = retryDelayMs(refused)!;
    expect(delay).toBeLessThanOrEqual(400);
    expect(delay).toBeGreaterThanOrEqual(400 - (Date.now() - started) - 5);
    await sleep(delay);
    await expect(client.call("createBatch", { name: "two" })).resolves.toMatchObject({ name: "two" });
    expect((await client.call("listBatches", {})).batches).toHaveLength(2);
  });

  it("refuses an AddBatchRequests over maxAddBytes without RetryInfo, applies nothing, and does not count it", async () => {
    // Batch ids are "batch_" and a UUID: 42 characters, so sizes computed with a stand-in id hold.
    const sizeWith = (batchId: string, text: string) =>
      toBinary(AddBatchRequestsRequestSchema, create(AddBatchRequestsRequestSchema, { batchId, batchRequests: [chat("a", text)] })).length;
    const limit = sizeWith(`batch_${"0".repeat(36)}`, "x".repeat(200));
    expect(sizeWith(`batch_${"0".repeat(36)}`, "x".repeat(201))).toBe(limit + 1);

    const emu = await env.start({ limits: { maxAddBytes: limit, addCallsPerWindow: 1, addWindowMs: 60_000 } });
    const client = env.client(emu);
    const { batchId } = await client.call("createBatch", { name: "b" });
    expect(sizeWith(batchId, "x".repeat(200))).toBe(limit);
    const refused = await failure(client.call("addBatchRequests", { batchId, batchRequests: [chat("a", "x".repeat(201))] }));
    expect(refused.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(refused.details).toContain(`${limit + 1} bytes`);
    expect(refused.details).toContain(`limit of ${limit} bytes`);
    expect(retryDelayMs(refused)).toBeUndefined();
    expect(emu.requestIds(batchId)).toEqual([]);
    expect(emu.counters().rejections.size).toBe(1);
    // Just at the limit is admitted, and is the one call the window allows: the refused one did not count.
    await client.call("addBatchRequests", { batchId, batchRequests: [chat("a", "x".repeat(200))] });
    expect(emu.requestIds(batchId)).toEqual(["a"]);
  });

  it("fails a message over the receive limit the way grpc-js does, applying nothing", async () => {
    const emu = await env.start({ maxReceiveMessageBytes: 64 * 1024 });
    const client = env.client(emu);
    const batch = await client.call("createBatch", { name: "b" });
    const refused = await failure(client.call("addBatchRequests", { batchId: batch.batchId, batchRequests: [chat("big", "x".repeat(100_000))] }));
    expect(refused.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(refused.details).toMatch(/larger than max/i);
    expect(emu.requestIds(batch.batchId)).toEqual([]);
    // The server keeps serving.
    await client.call("addBatchRequests", { batchId: batch.batchId, batchRequests: chats(2) });
    expect(emu.requestIds(batch.batchId)).toEqual(["r0", "r1"]);
  });
});
