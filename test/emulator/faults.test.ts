import { connectivityState, status } from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { faultTrailer, ManualClock } from "../../src/emulator/index.js";
import { chat, connectionLost, failure, useEmulators, type TestClient } from "./helpers.js";

async function addEach(client: TestClient, batchId: string, count: number) {
  const outcomes: { id: string; ok: boolean; fault?: string }[] = [];
  for (let i = 0; i < count; i++) {
    const id = `q${i}`;
    try {
      await client.call("addBatchRequests", { batchId, batchRequests: [chat(id, "hi")] });
      outcomes.push({ id, ok: true });
    } catch (error) {
      const e = error as { code: number; metadata: { get(k: string): unknown[] } };
      expect(e.code).toBe(status.UNAVAILABLE);
      outcomes.push({ id, ok: false, fault: e.metadata.get(faultTrailer)[0] as string });
    }
  }
  return outcomes;
}

describe("fault injection", () => {
  const env = useEmulators();

  it("fails a seeded share of calls UNAVAILABLE before applying anything, the same way for the same seed", async () => {
    const run = async () => {
      const { emu, client, batchId } = await env.withBatch({ limits: { addCallsPerWindow: 1000 } });
      emu.setFaults({ unavailableRate: 0.4, seed: 7 });
      const outcomes = await addEach(client, batchId, 50);
      const failed = outcomes.filter((o) => !o.ok);
      expect(failed.every((o) => o.fault === "unavailable")).toBe(true);
      expect(failed.length).toBeGreaterThan(5);
      expect(failed.length).toBeLessThan(40);
      // Exactly the acknowledged requests were applied.
      expect(emu.requestIds(batchId)).toEqual(outcomes.filter((o) => o.ok).map((o) => o.id));
      expect(emu.counters().rejections.faultUnavailable).toBe(failed.length);
      return outcomes.map((o) => o.ok);
    };
    expect(await run()).toEqual(await run());
  });

  it("applies every ambiguous AddBatchRequests before answering UNAVAILABLE; retrying it gives ALREADY_EXISTS", async () => {
    const { emu, client, batchId } = await env.withBatch({ limits: { addCallsPerWindow: 1000 } });
    emu.setFaults({ ambiguousAddRate: 0.5 });
    const outcomes = await addEach(client, batchId, 30);
    const ambiguous = outcomes.filter((o) => !o.ok);
    expect(ambiguous.length).toBeGreaterThan(3);
    expect(ambiguous.every((o) => o.fault === "ambiguous")).toBe(true);
    expect(emu.requestIds(batchId)).toEqual(outcomes.map((o) => o.id));
    emu.setFaults({ ambiguousAddRate: 0 });
    const retry = await failure(client.call("addBatchRequests", { batchId, batchRequests: [chat(ambiguous[0]!.id, "hi")] }));
    expect(retry.code).toBe(status.ALREADY_EXISTS);
    const counters = emu.counters();
    expect(counters.rejections.faultAmbiguous).toBe(ambiguous.length);
    expect(counters.requestsApplied).toBe(30);
  });

  it("adds fixed or ranged latency: a call is looked at only once its delay has passed on the clock", async () => {
    const clock = new ManualClock();
    const { emu, client } = await env.withBatch({ clock });
    /** The delay of one ListBatches call, read off the clock: the call is decoded once it has passed. */
    const delayOf = async (call: number) => {
      const listing = client.call("listBatches", {});
      await emu.waitFor((c) => c.calls.ListBatches === call);
      const arrived = clock.now();
      const decoded = () => emu.counters().messagesDecoded;
      const before = decoded();
      while (decoded() === before) await clock.advance(1);
      await listing;
      return clock.now() - arrived;
    };
    emu.setFaults({ latencyMs: 120 });
    expect(await delayOf(1)).toBe(120);
    emu.setFaults({ latencyMs: [30, 60] });
    const ranged = [await delayOf(2), await delayOf(3), await delayOf(4)];
    for (const delay of ranged) {
      expect(delay).toBeGreaterThanOrEqual(30);
      expect(delay).toBeLessThanOrEqual(60);
    }
    expect(new Set(ranged).size).toBeGreaterThan(1);
    // Drawn from the seeded sequence: the same seed gives the same delays.
    emu.setFaults({ latencyMs: [30, 60], seed: 1 });
    expect([await delayOf(5), await delayOf(6), await delayOf(7)]).toEqual(ranged);
  });

  it("answers NOT_FOUND for a fresh batch until notFoundAfterCreateMs has passed", async () => {
    const clock = new ManualClock();
    const { emu, client, batchId } = await env.withBatch({ clock, faults: { notFoundAfterCreateMs: 300 } });
    const early = await failure(client.call("getBatch", { batchId }));
    expect(early.code).toBe(status.NOT_FOUND);
    expect(early.metadata.get(faultTrailer)[0]).toBe("not-found-after-create");
    expect((await failure(client.call("addBatchRequests", { batchId, batchRequests: [chat("a", "x")] }))).code).toBe(status.NOT_FOUND);
    expect((await failure(client.call("listBatchResults", { batchId }))).code).toBe(status.NOT_FOUND);
    expect(emu.requestIds(batchId)).toEqual([]);
    await clock.advance(299);
    expect((await failure(client.call("getBatch", { batchId }))).code).toBe(status.NOT_FOUND);
    await clock.advance(1);
    await client.call("getBatch", { batchId });
    await client.call("addBatchRequests", { batchId, batchRequests: [chat("a", "x")] });
    expect(emu.counters().rejections.faultNotFound).toBe(4);
  });

  it("sends GOAWAY to connections older than maxConnectionAgeMs; the next call reconnects", async () => {
    const { client } = await env.withBatch({ faults: { maxConnectionAgeMs: 150 } });
    const channel = client.raw.getChannel();
    expect(channel.getConnectivityState(false)).toBe(connectivityState.READY);
    await connectionLost(client);
    await expect(client.call("listBatches", {})).resolves.toBeDefined();
    expect(channel.getConnectivityState(false)).toBe(connectivityState.READY);
  });

  it("dropConnections closes every client connection, and the emulator keeps serving", async () => {
    const { emu, client } = await env.withBatch({ limits: { addCallsPerWindow: 1000 } });
    const second = env.client(emu, "other-key");
    await second.call("listBatches", {});
    emu.dropConnections();
    await Promise.all([connectionLost(client), connectionLost(second)]);
    await expect(client.call("listBatches", {})).resolves.toBeDefined();
    await expect(second.call("listBatches", {})).resolves.toBeDefined();
    expect(emu.counters().connectionsDropped).toBe(1);
  });
});
