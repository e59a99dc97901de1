import { afterEach, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { ApiError, ChatRequest, Client, Code, user } from "../../src/index.js";
import { RecentBatches, createdGraceMs, otherGraceMs } from "../../src/internal/recent-batches.js";

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.stop();
  emu = undefined;
});

const chat = (id: string) => ({ id, model: "grok-4", messages: [{ role: "user", content: "hi" }] });

it("fails fast with NOT_FOUND, naming the id and what to check, for a batch the server does not know", async () => {
  emu = await startEmulator();
  const client = new Client({ apiKey: "k", baseUrl: emu.url });
  // Given the grace of a batch it had just created, each would still be retrying at its total timeout
  // and end DEADLINE_EXCEEDED: NOT_FOUND means the short grace applied.
  const bound = { totalTimeoutMs: otherGraceMs + 6_000 };
  expect(bound.totalTimeoutMs).toBeLessThan(createdGraceMs);
  const waited = (await client.batch.wait("batch_nope", { pollIntervalMs: 50, ...bound }).catch((e: unknown) => e)) as ApiError;
  const added = (await client.batch.add("batch_nope", [chat("a")], bound).catch((e: unknown) => e)) as ApiError;
  const got = (await client.batch.get("batch_nope").catch((e: unknown) => e)) as ApiError;
  const cancelled = (await client.batch.cancel("batch_nope").catch((e: unknown) => e)) as ApiError;
  client.close();
  for (const error of [waited, added, got, cancelled]) {
    expect(error).toBeInstanceOf(ApiError);
    expect(error.code).toBe(Code.NotFound);
    expect(error.message).toMatch(/Batch "batch_nope" is not known to the server: check the id/);
  }
});

it("still rides out the read-after-create lag of a batch this client just created", async () => {
  emu = await startEmulator({ faults: { notFoundAfterCreateMs: otherGraceMs + 500 } });
  const client = new Client({ apiKey: "k", baseUrl: emu.url });
  const { batchId } = await client.batch.create("lag");
  const result = await client.batch.add(batchId, [new ChatRequest("grok-4", { batchRequestId: "x" }).append(user("hi"))]);
  client.close();
  expect(result.requestsAdded).toBe(1);
  expect(emu.counters().rejections.faultNotFound).toBeGreaterThan(0);
});

it("gives the long grace only to batches created in the last 30 s", () => {
  let now = 1_000_000;
  const recent = new RecentBatches(() => now);
  recent.created("mine");
  expect(recent.notFoundGraceMs("mine")).toBe(createdGraceMs);
  expect(recent.notFoundGraceMs("other")).toBe(otherGraceMs);
  now += createdGraceMs - 5_000;
  expect(recent.notFoundGraceMs("mine")).toBe(5_000);
  now += 10_000;
  expect(recent.notFoundGraceMs("mine")).toBe(otherGraceMs);
});
