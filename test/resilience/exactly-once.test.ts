import { afterEach, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { Client, user, type ChatRequest } from "../../src/index.js";

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.stop();
  emu = undefined;
});

const fastRetries = { transientBackoff: { initialMs: 5, maxMs: 50, multiplier: 2 }, budget: { maxTokens: 1_000, tokenRatio: 1 } };
const scaledLimits = { addCallsPerWindow: 100, addWindowMs: 300 };

async function* chats(client: Client, n: number, prefix = "r"): AsyncGenerator<ChatRequest> {
  for (let i = 0; i < n; i++) yield client.chat.create("grok-4", { batchRequestId: `${prefix}${i}` }).append(user(`question ${i}`));
}

function expectEachOnce(ids: string[], expected: number): void {
  expect(ids).toHaveLength(expected);
  expect(new Set(ids).size).toBe(expected);
}

it("delivers 20,000 requests exactly once through 30% UNAVAILABLE and 10% applied-then-dropped calls", async () => {
  emu = await startEmulator({
    limits: scaledLimits,
    processing: { requestsPerSecond: 1 },
    faults: { seed: 7, unavailableRate: 0.3, ambiguousAddRate: 0.1 },
  });
  const client = new Client({ apiKey: "k", baseUrl: emu.url, limits: scaledLimits, retry: fastRetries });
  const batch = await client.batch.create("faulty");
  const result = await client.batch.add(batch.batchId, chats(client, 20_000), { maxRequestsPerCall: 200 });
  client.close();
  expectEachOnce(emu.requestIds(batch.batchId), 20_000);
  expect(result.requestsAdded).toBe(20_000);
  expect(result.alreadyPresent).toBe(0);
  const counters = emu.counters();
  expect(counters.rejections.faultAmbiguous).toBeGreaterThan(0);
  expect(counters.rejections.faultUnavailable).toBeGreaterThan(0);
  expect(counters.rejections.rate).toBe(0);
}, 30_000);

it("re-running an interrupted add adds only what is missing", async () => {
  emu = await startEmulator({ limits: scaledLimits, processing: { requestsPerSecond: 1 } });
  const client = new Client({ apiKey: "k", baseUrl: emu.url, limits: scaledLimits });
  const batch = await client.batch.create("interrupted");
  const stop = new AbortController();
  const first = await client.batch
    .add(batch.batchId, chats(client, 5_000), {
      maxRequestsPerCall: 100,
      signal: stop.signal,
      onProgress: (p) => {
        if (p.requestsAdded >= 2_000) stop.abort();
      },
    })
    .catch((e: unknown) => e);
  expect(first).toBeInstanceOf(Error);
  const landed = emu.requestIds(batch.batchId).length;
  expect(landed).toBeGreaterThanOrEqual(2_000);
  expect(landed).toBeLessThan(5_000);

  const rerun = await client.batch.add(batch.batchId, chats(client, 5_000), { maxRequestsPerCall: 100 });
  client.close();
  expectEachOnce(emu.requestIds(batch.batchId), 5_000);
  // Calls aborted in flight may still have landed after `landed` was read: the re-run finds them too.
  expect(rerun.alreadyPresent).toBeGreaterThanOrEqual(landed);
  expect(rerun.alreadyPresent + rerun.requestsAdded).toBe(5_000);
  expect(emu.counters().requestsApplied).toBe(5_000);
  // The re-run lists the batch to learn what it holds, once, not once per call that found its ids there.
  const pagesPerListing = Math.ceil(5_000 / 1_000);
  expect(emu.counters().calls.ListBatchRequestMetadata).toBeLessThanOrEqual(2 * pagesPerListing);
}, 30_000);

it("gives requests without ids content-derived ids, so a re-run of the same input adds nothing twice", async () => {
  emu = await startEmulator({ processing: { requestsPerSecond: 1 } });
  const client = new Client({ apiKey: "k", baseUrl: emu.url });
  const batch = await client.batch.create("auto-ids");
  const input = () => Array.from({ length: 50 }, (_, i) => client.chat.create("grok-4").append(user(`q${i % 25}`)));
  const once = await client.batch.add(batch.batchId, input());
  const twice = await client.batch.add(batch.batchId, input());
  client.close();
  expect(once.requestsAdded).toBe(50);
  expect(twice).toMatchObject({ requestsAdded: 0, alreadyPresent: 50 });
  expectEachOnce(emu.requestIds(batch.batchId), 50);
});

it("streams a large input in bounded memory: it reads only as fast as calls complete", async () => {
  emu = await startEmulator({ limits: { addCallsPerWindow: 10, addWindowMs: 200 }, processing: { requestsPerSecond: 1 } });
  const client = new Client({ apiKey: "k", baseUrl: emu.url, limits: { addCallsPerWindow: 10, addWindowMs: 200 } });
  const batch = await client.batch.create("lazy");
  let read = 0;
  let maxAhead = 0;
  let added = 0;
  async function* counted() {
    for await (const c of chats(client, 3_000)) {
      read++;
      maxAhead = Math.max(maxAhead, read - added);
      yield c;
    }
  }
  await client.batch.add(batch.batchId, counted(), { maxRequestsPerCall: 100, concurrency: 2, onProgress: (p) => (added = p.requestsAdded) });
  client.close();
  // At most the calls in flight, the one being packed and one encoding group (256) are ever held.
  expect(maxAhead).toBeLessThanOrEqual(3 * 100 + 256);
  expectEachOnce(emu.requestIds(batch.batchId), 3_000);
});

it("adds 100,000 requests of ~300 bytes with default settings (calls of several MB in flight)", async () => {
  emu = await startEmulator({ limits: { addCallsPerWindow: 100_000, addWindowMs: 1_000 }, processing: { requestsPerSecond: 0 } });
  const client = new Client({ apiKey: "k", baseUrl: emu.url, limits: { addCallsPerWindow: 100_000, addWindowMs: 1_000 } });
  const batch = await client.batch.create("big");
  const text = "lorem ipsum dolor sit amet ".repeat(11);
  async function* many() {
    for (let i = 0; i < 100_000; i++) yield client.chat.create("grok-4", { batchRequestId: `m${i}` }).append(user(`${i} ${text}`));
  }
  const result = await client.batch.add(batch.batchId, many());
  client.close();
  expect(result.requestsAdded).toBe(100_000);
  expect(result.calls).toBeGreaterThanOrEqual(10);
  expect(emu.counters().requestsApplied).toBe(100_000);
}, 30_000);
