import { describe, expect, it } from "vitest";
import { chat, chats, failure, useEmulators } from "./helpers.js";

describe("counters", () => {
  const env = useEmulators();

  it("count calls by RPC, refusals by reason and work done, in snapshots that do not change afterwards", async () => {
    const emu = await env.start({ apiKeys: ["k"], limits: { addCallsPerWindow: 3, addWindowMs: 60_000 } });
    const client = env.client(emu, "k");
    const { batchId } = await client.call("createBatch", { name: "b" });
    await client.call("addBatchRequests", { batchId, batchRequests: [...chats(4), chat("x", "[fail]")] });
    await failure(client.call("addBatchRequests", { batchId, batchRequests: [chat("r0", "again")] }));
    await failure(client.call("addBatchRequests", { batchId, batchRequests: [chat("m", "hi", "nope")] }));
    await failure(client.call("addBatchRequests", { batchId, batchRequests: chats(1, "late") }));
    await failure(env.client(emu, "stranger").call("getBatch", { batchId }));
    await failure(client.call("getBatch", { batchId: "batch_missing" }));
    const snapshot = await emu.waitFor((c) => c.requestsSucceeded + c.requestsFailed === 5);
    expect(snapshot).toMatchObject({
      calls: { CreateBatch: 1, AddBatchRequests: 4, GetBatch: 2, ListBatches: 0 },
      rejections: { duplicate: 1, invalid: 1, rate: 1, auth: 1, notFound: 1, size: 0, internal: 0 },
      batchesCreated: 1,
      requestsApplied: 5,
      requestsSucceeded: 4,
      requestsFailed: 1,
    });
    await client.call("listBatches", {});
    expect(snapshot.calls.ListBatches).toBe(0);
    expect(emu.counters().calls.ListBatches).toBe(1);
    expect(() => emu.requestIds("batch_missing")).toThrow("batch_missing");
  });
});
