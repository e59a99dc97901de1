import { connectivityState, status } from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { faultTrailer } from "../../src/emulator/index.js";
import { chat, failure, sleep, until, useEmulators, type TestClient } from "./helpers.js";

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

  it("adds fixed or ranged latency", async () => {
    const { emu, client } = await env.withBatch({ faults: { latencyMs: 120 } });
    let started = Date.now();
    await client.call("listBatches", {});
    expect(Date.now() - started).toBeGreaterThanOrEqual(115);
    emu.setFaults({ latencyMs: [30, 60] });
    started = Date.now();
    for (let i = 0; i < 3; i++) await client.call("listBatches", {});
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(88);
    expect(elapsed).toBeLessThan(400);
  });

  it("answers NOT_FOUND for a fresh batch until notFoundAfterCreateMs has passed", async () => {
    const { emu, client, batchId } = await env.withBatch({ faults: { notFoundAfterCreateMs: 300 } });
    const early = await failure(client.call("getBatch", { batchId }));
    expect(early.code).toBe(status.NOT_FOUND);
    expect(early.metadata.get(faultTrailer)[0]).toBe("not-found-after-create");
    expect((await failure(client.call("addBatchRequests", { batchId, batchRequests: [chat("a", "x")] }))).code).toBe(status.NOT_FOUND);
    expect((await failure(client.call("listBatchResults", { batchId }))).code).toBe(status.NOT_FOUND);
    expect(emu.requestIds(batchId)).toEqual([]);
    await until(async () => (await client.call("getBatch", { batchId }).then(() => true, () => false)), 2000, "batch visible");
    await client.call("addBatchRequests", { batchId, batchRequests: [chat("a", "x")] });
    expect(emu.counters().rejections.faultNotFound).toBeGreaterThanOrEqual(3);
  });

  it("sends GOAWAY to connections older than maxConnectionAgeMs; the next call reconnects", async () => {
    const { client } = await env.withBatch({ faults: { maxConnectionAgeMs: 150 } });
    const channel = client.raw.getChannel();
    expect(channel.getConnectivityState(false)).toBe(connectivityState.READY);
    await until(() => channel.getConnectivityState(false) !== connectivityState.READY, 2000, "connection aged out");
    await expect(client.call("listBatches", {})).resolves.toBeDefined();
    expect(channel.getConnectivityState(false)).toBe(connectivityState.READY);
  });

  it("dropConnections closes every client connection, and the emulator keeps serving", async () => {
    const { emu, client } = await env.withBatch({ limits: { addCallsPerWindow: 1000 } });
    const second = env.client(emu, "other-key");
    await second.call("listBatches", {});
    emu.dropConnections();
    for (const c of [client, second]) {
      await until(() => c.raw.getChannel().getConnectivityState(false) !== connectivityState.READY, 2000, "connection dropped");
    }
    await sleep(10);
    await expect(client.call("listBatches", {})).resolves.toBeDefined();
    await expect(second.call("listBatches", {})).resolves.toBeDefined();
    expect(emu.counters().connectionsDropped).toBe(1);
  });
});
