import { status } from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { chat, failure, useEmulators } from "./helpers.js";

describe("team limits across connections", () => {
  const env = useEmulators();

  it("counts a team's add calls over all its connections, so the emulator referees many worker processes", async () => {
    const emu = await env.start({ limits: { addCallsPerWindow: 3, addWindowMs: 60_000 } });
    // Each client its own subchannel pool: its own HTTP/2 connection, as a separate worker process would have.
    const [a, b, c] = [0, 1, 2].map(() => env.client(emu, "team-key", { "grpc.use_local_subchannel_pool": 1 }));
    const { batchId } = await a!.call("createBatch", { name: "shared" });
    await a!.call("addBatchRequests", { batchId, batchRequests: [chat("a1", "hi")] });
    await b!.call("addBatchRequests", { batchId, batchRequests: [chat("b1", "hi")] });
    await c!.call("addBatchRequests", { batchId, batchRequests: [chat("c1", "hi")] });
    expect((await failure(b!.call("addBatchRequests", { batchId, batchRequests: [chat("b2", "hi")] }))).code).toBe(
      status.RESOURCE_EXHAUSTED,
    );
    expect(emu.counters().rejections.rate).toBe(1);
    // Another team's quota is its own.
    const other = env.client(emu, "other-key", { "grpc.use_local_subchannel_pool": 1 });
    const { batchId: otherBatch } = await other.call("createBatch", { name: "other" });
    await expect(other.call("addBatchRequests", { batchId: otherBatch, batchRequests: [chat("o1", "hi")] })).resolves.toBeDefined();
  });
});
