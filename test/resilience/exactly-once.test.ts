import { afterEach, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { Client, user, type ChatRequest } from "../../src/index.js";

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.stop();
  emu = undefined;
});

const scaledLimits = { addCallsPerWindow: 100, addWindowMs: 300 };

async function* chats(client: Client, n: number, prefix = "r"): AsyncGenerator<ChatRequest> {
  for (let i = 0; i < n; i++) yield client.chat.create("grok-4", { batchRequestId: `${prefix}${i}` }).append(user(`question ${i}`));
}

function expectEachOnce(ids: string[], expected: number): void {
  expect(ids).toHaveLength(expected);
  expect(new Set(ids).size).toBe(expected);
}

it("delivers 100,000 requests exactly once through sustained 30% UNAVAILABLE and 10% applied-then-dropped calls, with the default retry budget", async () => {
  // xAI's 100 adds per 30 s, 60 times faster; backoff scaled alike. The budget is the default: it is
  // empty within the first second at this failure rate, so the add runs on throttled retries.
  const limits = { addCallsPerWindow: 100, addWindowMs: 500 };
  emu = await startEmulator({
    limits,
    processing: { requestsPerSecond: 0 },
    faults: { seed: 11, unavailableRate: 0.3, ambiguousAddRate: 0.1 },
  });
  const reasons = new Map<string, number>();
  const client = new Client({
    apiKey: "k",
    baseUrl: emu.url,
    limits,
    retry: {
      transientBackoff: { initialMs: 5, maxMs: 40, multiplier: 2 },
      onRetry: (e) => reasons.set(e.reason, (reasons.get(e.reason) ?? 0) + 1),
    },
  });
  const batch = await client.batch.create("faulty");
  const result = await client.batch.add(batch.batchId, chats(client, 100_000), { maxRequestsPerCall: 250, concurrency: 8 });
  client.close();
  const counters = emu.counters();
  // Exactly once by the server's count, not the client's.
  expectEachOnce(emu.requestIds(batch.batchId), 100_000);
  expect(counters.requestsApplied).toBe(100_000);
  expect(result).toMatchObject({ requestsAdded: 100_000, alreadyPresent: 0 });
  expect(counters.rejections.faultAmbiguous).toBeGreaterThan(20);
  expect(counters.rejections.faultUnavailable).toBeGreaterThan(100);
  expect(counters.rejections.rate).toBe(0);
  // The spent budget slowed retries down rather than ending the add.
  expect(reasons.get("throttled") ?? 0).toBeGreaterThan(0);
  // Each applied-then-dropped call is checked by reading on from the last page seen: in all, about one
  // pass over the batch plus a page per check, where a full listing per check would read up to 100 pages each.
  const pagesOfBatch = 100_000 / 1_000;
  expect(result.listCalls).toBeGreaterThan(0);
  expect(result.listCalls).toBeLessThanOrEqual(pagesOfBatch + 2 * counters.rejections.faultAmbiguous);
  expect(result.listCalls).toBeLessThanOrEqual(counters.calls.ListBatchRequestMetadata ?? 0);
}, 60_000);

it("re-running an interrupted add adds only what is missing", async () => {
  emu = await startEmulator({ limits: scaledLimits, processing: { requestsPerSecond: 1 } });
  const interrupted = new Client({ apiKey: "k", baseUrl: emu.url, limits: scaledLimits });
  const batch = await interrupted.batch.create("interrupted");
  const stop = new AbortController();
  const first = await interrupted.batch
    .add(batch.batchId, chats(interrupted, 5_000), {
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

  // A call aborted in flight may still land a moment after the abort. The interrupted process goes away;
  // once the emulator has seen its connection close and answered every call it received, nothing more can land.
  interrupted.close();
  await emu.waitFor((c) => c.connectionsClosed === c.connectionsAccepted);
  await emu.settled();
  const before = emu.requestIds(batch.batchId).length;
  expect(before).toBeGreaterThanOrEqual(landed);

  const client = new Client({ apiKey: "k", baseUrl: emu.url, limits: scaledLimits });
  const rerun = await client.batch.add(batch.batchId, chats(client, 5_000), { maxRequestsPerCall: 100 });
  client.close();
  expectEachOnce(emu.requestIds(batch.batchId), 5_000);
  // A truthful summary: exactly what was there, and exactly what this run added.
  expect(rerun).toMatchObject({ alreadyPresent: before, requestsAdded: 5_000 - before });
  expect(emu.counters().requestsApplied).toBe(5_000);
  // It sent only what was missing: the server never had to refuse an id, so nothing rests on what such an error says.
  expect(emu.counters().rejections.duplicate).toBe(0);
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
  await client.batch.add(batch.batchId, counted(), {
    maxRequestsPerCall: 100,
    concurrency: 2,
    onProgress: (p) => (added = p.requestsAdded),
  });
  client.close();
  // At most the calls in flight, the one being packed and one encoding group (256) are ever held.
  expect(maxAhead).toBeLessThanOrEqual(3 * 100 + 256);
  expectEachOnce(emu.requestIds(batch.batchId), 3_000);
});

it("adds 100,000 requests of ~300 bytes with default settings in calls filled to the size limit, not a count", async () => {
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
  // Add calls are the team's scarce quota: as few as the bytes allow (a 10,000-request cap made 10 here).
  const minimumCalls = Math.ceil(result.bytesSent / 25_000_000);
  expect(minimumCalls).toBeGreaterThan(1);
  expect(result.calls).toBeLessThanOrEqual(Math.ceil(minimumCalls * 1.05));
  expect(emu.counters().requestsApplied).toBe(100_000);
}, 30_000);
