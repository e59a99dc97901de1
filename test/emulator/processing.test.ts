import { create } from "@bufbuild/protobuf";
import { status } from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { BatchRequestMetadata_State, BatchRequestSchema, FinishReason } from "../../src/core/internal/wire.js";
import { ManualClock } from "../../src/emulator/index.js";
import { chat, chats, failure, useEmulators, type TestClient } from "./helpers.js";

async function batchState(client: TestClient, batchId: string) {
  return (await client.call("getBatch", { batchId })).state!;
}

/** Moves the clock on a second, which at the default 2000 requests per second finishes what these tests add. */
async function done(clock: ManualClock, client: TestClient, batchId: string) {
  await clock.advance(1000);
  expect((await batchState(client, batchId)).numPending).toBe(0n);
}

describe("processing", () => {
  const env = useEmulators();

  it("answers chat completions deterministically: echo of the last user message, STOP, word tokens, cost", async () => {
    const clock = new ManualClock();
    const emu = await env.start({ clock, processing: { usdTicksPerToken: 100 } });
    const client = env.client(emu);
    const { batchId } = await client.call("createBatch", { name: "b" });
    await client.call("addBatchRequests", { batchId, batchRequests: [chat("a", "hello big world")] });
    await done(clock, client, batchId);
    const { result } = await client.call("getBatchRequestResult", { batchId, batchRequestId: "a" });
    expect(result?.result.case).toBe("response");
    const response = result?.result.case === "response" ? result.result.value.response : undefined;
    if (response?.case !== "completionResponse") throw new Error("expected a completion");
    expect(response.value.outputs[0]?.message?.content).toBe("echo: hello big world");
    expect(response.value.outputs[0]?.finishReason).toBe(FinishReason.REASON_STOP);
    expect(response.value.model).toBe("grok-4");
    // Prompt: 3 words; completion: "echo: hello big world", 4 words.
    expect(response.value.usage).toMatchObject({ promptTokens: 3, completionTokens: 4, totalTokens: 7, costInUsdTicks: 700n });
  });

  it("gives images and videos placeholder URLs", async () => {
    const clock = new ManualClock();
    const emu = await env.start({ clock });
    const client = env.client(emu);
    const { batchId } = await client.call("createBatch", { name: "b" });
    const image = create(BatchRequestSchema, {
      batchRequestId: "img",
      request: { case: "imageRequest", value: { model: "grok-2-image-1212", prompt: "cat", n: 2 } },
    });
    const video = create(BatchRequestSchema, {
      batchRequestId: "vid",
      request: { case: "videoRequest", value: { model: "grok-imagine-video", prompt: "dog", duration: 4 } },
    });
    await client.call("addBatchRequests", { batchId, batchRequests: [image, video] });
    await done(clock, client, batchId);
    const { results } = await client.call("listBatchResults", { batchId });
    const byId = new Map(results.map((r) => [r.batchRequestId, r.result.case === "response" ? r.result.value.response : undefined]));
    const images = byId.get("img");
    const videos = byId.get("vid");
    if (images?.case !== "imageResponse" || videos?.case !== "videoResponse") throw new Error("expected media responses");
    expect(images.value.images.map((i) => i.image.case === "url" && i.image.value.startsWith("https://"))).toEqual([true, true]);
    expect(videos.value.video?.url).toMatch(/^https:\/\/.*\.mp4$/);
    expect(videos.value.video?.duration).toBe(4);
  });

  it("fails requests with the [fail] marker, and a seeded share at failureRate, the same way every run", async () => {
    const run = async () => {
      const clock = new ManualClock();
      const emu = await env.start({ clock, processing: { failureRate: 0.3, seed: 42 } });
      const client = env.client(emu);
      const { batchId } = await client.call("createBatch", { name: "b" });
      await client.call("addBatchRequests", { batchId, batchRequests: [...chats(200), chat("marked", "please [fail] now")] });
      await done(clock, client, batchId);
      const { results } = await client.call("listBatchResults", { batchId, limit: 1000 });
      return new Map(results.map((r) => [r.batchRequestId, r.result.case === "error" ? r.result.value : undefined]));
    };
    const first = await run();
    const marked = first.get("marked");
    expect(marked?.code).toBe(status.INVALID_ARGUMENT);
    expect(marked?.message).toContain("[fail]");
    const failed = [...first].filter(([id, error]) => id !== "marked" && error !== undefined);
    expect(failed.length).toBeGreaterThan(30);
    expect(failed.length).toBeLessThan(90);
    expect(failed.every(([, error]) => error?.code === status.INTERNAL)).toBe(true);
    // Same seed, same ids: the same requests fail, although the batch id differs.
    const failedIds = (results: typeof first) =>
      [...results]
        .filter(([, e]) => e !== undefined)
        .map(([id]) => id)
        .sort();
    expect(failedIds(await run())).toEqual(failedIds(first));
  });

  it("processes FIFO within a batch and interleaves batches fairly", async () => {
    const clock = new ManualClock();
    const emu = await env.start({ clock, processing: { requestsPerSecond: 200 } });
    const client = env.client(emu);
    const big = (await client.call("createBatch", { name: "big" })).batchId;
    const small = (await client.call("createBatch", { name: "small" })).batchId;
    await client.call("addBatchRequests", { batchId: big, batchRequests: chats(100) });
    await client.call("addBatchRequests", { batchId: small, batchRequests: chats(5) });
    // Ten requests in 50 ms, taken in turns: the small batch is done when the big one has had as many.
    await clock.advance(50);
    expect(await batchState(client, small)).toMatchObject({ numSuccess: 5n, numPending: 0n });
    expect((await batchState(client, big)).numSuccess).toBe(5n);
    await done(clock, client, big);
    const { results } = await client.call("listBatchResults", { batchId: big, limit: 1000 });
    expect(results.map((r) => r.batchRequestId)).toEqual(chats(100).map((r) => r.batchRequestId));
  });

  it("cancels what is pending, keeps finished results, stamps cancel_time, and is idempotent", async () => {
    const clock = new ManualClock();
    const emu = await env.start({ clock, processing: { requestsPerSecond: 300 } });
    const client = env.client(emu);
    const { batchId } = await client.call("createBatch", { name: "b" });
    await client.call("addBatchRequests", { batchId, batchRequests: [...chats(150), chat("bad", "[fail]")] });
    await clock.advance(100);
    const cancelled = await client.call("cancelBatch", { batchId });
    expect(cancelled.cancelTime).toBeDefined();
    const state = cancelled.state!;
    expect(state).toMatchObject({ numRequests: 151n, numSuccess: 30n, numError: 0n, numCancelled: 121n, numPending: 0n });

    await clock.advance(100);
    const again = await client.call("cancelBatch", { batchId });
    expect(again.state).toEqual(state);
    expect(again.cancelTime).toEqual(cancelled.cancelTime);

    const { results } = await client.call("listBatchResults", { batchId, limit: 1000 });
    expect(BigInt(results.length)).toBe(state.numSuccess + state.numError);
    const cancelledMeta = await client.call("listBatchRequestMetadata", {
      batchId,
      limit: 1000,
      status: [BatchRequestMetadata_State.CANCELLED],
    });
    expect(BigInt(cancelledMeta.batchRequestMetadata.length)).toBe(state.numCancelled);
    expect(cancelledMeta.batchRequestMetadata.every((m) => m.finishTime !== undefined)).toBe(true);
    const { result } = await client.call("getBatchRequestResult", { batchId, batchRequestId: "bad" });
    expect(result).toBeUndefined();
  });

  it("sums costs per endpoint", async () => {
    const clock = new ManualClock();
    const emu = await env.start({ clock, processing: { usdTicksPerToken: 10, usdTicksPerImage: 1000 } });
    const client = env.client(emu);
    const { batchId } = await client.call("createBatch", { name: "b" });
    const image = create(BatchRequestSchema, {
      batchRequestId: "img",
      request: { case: "imageRequest", value: { model: "grok-2-image-1212", prompt: "cat", n: 3 } },
    });
    // "one two" → prompt 2 + completion 3 ("echo: one two") = 5 tokens each.
    await client.call("addBatchRequests", {
      batchId,
      batchRequests: [chat("a", "one two"), chat("b", "one two"), image, chat("c", "[fail]")],
    });
    await done(clock, client, batchId);
    const { costBreakdown } = await client.call("getBatch", { batchId });
    expect(costBreakdown?.totalCostUsdTicks).toBe(2n * 50n + 3000n);
    expect(costBreakdown?.calculationTime).toBeDefined();
    const byEndpoint = Object.fromEntries(costBreakdown!.endpointCosts.map((c) => [c.endpoint, [c.costUsdTicks, c.requestCount]]));
    expect(byEndpoint).toEqual({ "chat.completions": [100n, 2n], "image.generations": [3000n, 1n] });
  });

  it("expires batches: pending becomes cancelled, the batch leaves ListBatches, results stay readable until retention ends", async () => {
    const clock = new ManualClock();
    const emu = await env.start({ clock, expireAfterMs: 400, retainAfterExpiryMs: 400, processing: { requestsPerSecond: 50 } });
    const client = env.client(emu);
    const created = await client.call("createBatch", { name: "b" });
    const { batchId } = created;
    const ms = (time: { seconds: bigint; nanos: number } | undefined) => Number(time!.seconds) * 1000 + time!.nanos / 1e6;
    expect([ms(created.createTime), ms(created.expireTime)]).toEqual([clock.now(), clock.now() + 400]);
    await client.call("addBatchRequests", { batchId, batchRequests: chats(100) });
    await clock.advance(400);

    // One request per 20 ms; the round due at the moment of expiry finds the batch closed.
    const state = await batchState(client, batchId);
    expect(state).toMatchObject({ numSuccess: 19n, numCancelled: 81n, numPending: 0n });
    expect((await client.call("listBatches", {})).batches).toEqual([]);
    const { results } = await client.call("listBatchResults", { batchId, limit: 1000 });
    expect(BigInt(results.length)).toBe(state.numSuccess);
    expect((await failure(client.call("addBatchRequests", { batchId, batchRequests: [chat("late", "x")] }))).code).toBe(
      status.FAILED_PRECONDITION,
    );
    await clock.advance(100);
    expect((await batchState(client, batchId)).numSuccess).toBe(state.numSuccess);

    // Readable until the last millisecond of retention, and not a millisecond longer.
    await clock.advance(299);
    expect((await batchState(client, batchId)).numSuccess).toBe(state.numSuccess);
    await clock.advance(1);
    for (const call of [
      client.call("getBatch", { batchId }),
      client.call("listBatchResults", { batchId }),
      client.call("listBatchRequestMetadata", { batchId }),
      client.call("getBatchRequestResult", { batchId, batchRequestId: "r0" }),
    ]) {
      expect((await failure(call)).code).toBe(status.NOT_FOUND);
    }
  });
});
