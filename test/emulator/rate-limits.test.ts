import { create, toBinary } from "@bufbuild/protobuf";
import { status } from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { AddBatchRequestsRequestSchema } from "../../src/core/internal/wire.js";
import { ManualClock } from "../../src/emulator/index.js";
import { chat, chats, failure, retryDelayMs, useEmulators } from "./helpers.js";

describe("per-team limits", () => {
  const env = useEmulators();

  it("admits exactly N AddBatchRequests per rolling window across batches, then says how long to wait", async () => {
    const clock = new ManualClock();
    const emu = await env.start({ clock, limits: { addCallsPerWindow: 20, addWindowMs: 1000 } });
    const client = env.client(emu);
    const batches = [await client.call("createBatch", { name: "a" }), await client.call("createBatch", { name: "b" })];
    const add = (i: number, id: string) =>
      client.call("addBatchRequests", { batchId: batches[i % 2]!.batchId, batchRequests: [chat(id, "hi")] });
    // Half the window's calls now, half 300 ms later.
    for (let i = 0; i < 10; i++) await add(i, `r${i}`);
    await clock.advance(300);
    for (let i = 10; i < 20; i++) await add(i, `r${i}`);
    const refused = await failure(add(0, "late"));
    expect(refused.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(refused.details).toMatch(/20 AddBatchRequests calls per 1000 ms/);
    // The oldest call leaves the window 700 ms from now, to the millisecond.
    expect(retryDelayMs(refused)).toBe(700);

    // Refused calls do not count: hammering changes nothing about when the next call is admitted.
    for (let i = 0; i < 5; i++) await failure(client.call("addBatchRequests", { batchId: batches[1]!.batchId, batchRequests: [] }));
    await clock.advance(699);
    expect(retryDelayMs(await failure(add(0, "late")))).toBe(1);
    await clock.advance(1);
    // The first ten left the window together: ten calls are admitted, the eleventh waits for the next ten.
    for (let i = 0; i < 10; i++) await add(0, `late${i}`);
    expect(retryDelayMs(await failure(add(0, "later")))).toBe(300);
    expect(emu.counters().rejections.rate).toBe(8);
    expect(emu.requestIds(batches[0]!.batchId)).toContain("late9");
  });

  it("admits one CreateBatch per interval and tells the remaining time", async () => {
    const clock = new ManualClock();
    const emu = await env.start({ clock, limits: { createIntervalMs: 400 } });
    const client = env.client(emu);
    await client.call("createBatch", { name: "one" });
    await clock.advance(150);
    const refused = await failure(client.call("createBatch", { name: "two" }));
    expect(refused.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(retryDelayMs(refused)).toBe(250);
    await clock.advance(250);
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
    const refused = await failure(
      client.call("addBatchRequests", { batchId: batch.batchId, batchRequests: [chat("big", "x".repeat(100_000))] }),
    );
    expect(refused.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(refused.details).toMatch(/larger than max/i);
    expect(emu.requestIds(batch.batchId)).toEqual([]);
    // The server keeps serving.
    await client.call("addBatchRequests", { batchId: batch.batchId, batchRequests: chats(2) });
    expect(emu.requestIds(batch.batchId)).toEqual(["r0", "r1"]);
  });
});
