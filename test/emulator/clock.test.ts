import { status } from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/emulator/index.js";
import { chats, failure, useEmulators } from "./helpers.js";

describe("ManualClock", () => {
  it("runs each timer at its own time, in order of due time and then of scheduling, and never a cancelled one", async () => {
    const clock = new ManualClock(1_000);
    const ran: [string, number][] = [];
    const at = (name: string) => () => ran.push([name, clock.now()]);
    clock.schedule(30, at("c"));
    clock.schedule(10, () => {
      at("a")();
      // A timer set by a timer runs in the same advance when it falls due within it.
      clock.schedule(5, at("a+5"));
    });
    clock.schedule(30, at("d"));
    const cancel = clock.schedule(20, at("cancelled"));
    clock.schedule(100, at("later"));
    cancel();
    await clock.advance(50);
    expect(ran).toEqual([
      ["a", 1_010],
      ["a+5", 1_015],
      ["c", 1_030],
      ["d", 1_030],
    ]);
    expect(clock.now()).toBe(1_050);
    await clock.advance(50);
    expect(ran.at(-1)).toEqual(["later", 1_100]);
  });

  it("takes advances one after another when they are asked for at once", async () => {
    const clock = new ManualClock(0);
    const ran: number[] = [];
    clock.schedule(15, () => ran.push(clock.now()));
    await Promise.all([clock.advance(10), clock.advance(10)]);
    expect(ran).toEqual([15]);
    expect(clock.now()).toBe(20);
    expect(() => clock.advance(-1)).toThrow("`ms`");
  });
});

describe("an emulator on a manual clock", () => {
  const env = useEmulators();

  it("processes, paces and expires only as its clock moves", async () => {
    const clock = new ManualClock();
    const emu = await env.start({ clock, expireAfterMs: 1_000, processing: { requestsPerSecond: 100 } });
    const client = env.client(emu);
    const { batchId } = await client.call("createBatch", { name: "b" });
    await client.call("addBatchRequests", { batchId, batchRequests: chats(150) });
    expect(emu.counters().requestsSucceeded).toBe(0);
    await clock.advance(500);
    expect(emu.counters().requestsSucceeded).toBe(50);
    await clock.advance(500);
    // One request per 10 ms: the round due at the moment of expiry finds the batch closed, so 99 are
    // processed, they stay, and the rest are cancelled.
    const state = (await client.call("getBatch", { batchId })).state!;
    expect(state).toMatchObject({ numSuccess: 99n, numCancelled: 51n, numPending: 0n });
    await clock.advance(1_000);
    expect(emu.counters().requestsSucceeded).toBe(99);
    expect((await failure(client.call("addBatchRequests", { batchId, batchRequests: chats(1, "late") }))).code).toBe(
      status.FAILED_PRECONDITION,
    );
  });
});

describe("settled and waitFor", () => {
  const env = useEmulators();

  it("settled() resolves once a call held by latency has been applied and answered", async () => {
    const { emu, client, batchId } = await env.withBatch({ faults: { latencyMs: 50 } });
    const adding = client.call("addBatchRequests", { batchId, batchRequests: chats(3) });
    await emu.waitFor((c) => c.calls.AddBatchRequests === 1);
    expect(emu.requestIds(batchId)).toEqual([]);
    await emu.settled();
    expect(emu.requestIds(batchId)).toEqual(["r0", "r1", "r2"]);
    await adding;
  });

  it("settled() waits for the clock for a call held by latency on a manual clock", async () => {
    const clock = new ManualClock();
    const { emu, client } = await env.withBatch({ clock });
    emu.setFaults({ latencyMs: 100 });
    let settled = false;
    const decoded = emu.counters().messagesDecoded;
    const listing = client.call("listBatches", {});
    await emu.waitFor((c) => c.calls.ListBatches === 1);
    const settling = emu.settled().then(() => (settled = true));
    await clock.advance(99);
    expect([settled, emu.counters().messagesDecoded]).toEqual([false, decoded]);
    await clock.advance(1);
    await settling;
    expect(emu.counters().messagesDecoded).toBe(decoded + 1);
    await expect(listing).resolves.toBeDefined();
  });

  it("a waitFor check that throws rejects that wait and leaves the emulator serving", async () => {
    const { emu, client } = await env.withBatch();
    const broken = expect(
      emu.waitFor((c) => {
        if (c.calls.ListBatches !== 0) throw new Error("broken check");
        return false;
      }),
    ).rejects.toThrow("broken check");
    await client.call("listBatches", {});
    await broken;
    await expect(client.call("listBatches", {})).resolves.toBeDefined();
    expect((await emu.waitFor((c) => c.calls.ListBatches === 2)).calls.ListBatches).toBe(2);
  });
});
