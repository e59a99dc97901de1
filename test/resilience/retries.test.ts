import { afterEach, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import {
  ApiError,
  Client,
  Code,
  defaultLimits,
  InputError,
  MemoryQuotaLimiter,
  user,
  type QuotaLimiter,
  type RetryEvent,
} from "../../src/index.js";

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.stop();
  emu = undefined;
});

/** A limiter that lets everything through, to see how the client handles the server's own refusals. */
const unpaced: QuotaLimiter = { acquire: async () => ({ release: () => {} }), pause: () => {} };

it("honours the server's RetryInfo: waits the time it names, then succeeds", async () => {
  emu = await startEmulator({ limits: { createIntervalMs: 300 } });
  const events: RetryEvent[] = [];
  const client = new Client({ apiKey: "k", baseUrl: emu.url, quotaLimiter: unpaced, retry: { onRetry: (e) => events.push(e) } });
  await client.batch.create("first");
  await client.batch.create("second");
  client.close();
  expect(events).toHaveLength(1);
  expect(events[0]).toMatchObject({ method: "CreateBatch", attempt: 1, reason: "retry-info" });
  // The server names what is left of its 300 ms, however long the first create took to come back.
  expect(events[0]!.delayMs).toBeGreaterThan(0);
  expect(events[0]!.delayMs).toBeLessThanOrEqual(300);
  // The server itself checks the wait: a retry sent before the time it named would have been refused again.
  expect(emu.counters().rejections.rate).toBe(1);
});

it("surfaces the last quota error unchanged when attempts run out, with the wait the server asked for", async () => {
  emu = await startEmulator({ limits: { createIntervalMs: 10_000 } });
  const client = new Client({ apiKey: "k", baseUrl: emu.url, quotaLimiter: unpaced, retry: { maxAttempts: 2, maxHintMs: 20 } });
  await client.batch.create("first");
  const error = (await client.batch.create("second").catch((e: unknown) => e)) as ApiError;
  client.close();
  expect(error).toBeInstanceOf(ApiError);
  expect(error.code).toBe(Code.ResourceExhausted);
  expect(error.attempts).toBe(2);
  expect(error.isQuotaError).toBe(true);
  expect(error.retryAfterMs).toBeGreaterThan(9_000);
});

it("never retries an add the server refuses for size", async () => {
  emu = await startEmulator({ limits: { maxAddBytes: 2_000 } });
  const client = new Client({ apiKey: "k", baseUrl: emu.url });
  const batch = await client.batch.create("big");
  const requests = Array.from({ length: 10 }, (_, i) =>
    client.chat.create("grok-4", { batchRequestId: `s${i}` }).append(user("x".repeat(300))),
  );
  const error = (await client.batch.add(batch.batchId, requests).catch((e: unknown) => e)) as ApiError;
  client.close();
  expect(error.code).toBe(Code.ResourceExhausted);
  expect(error.retryable).toBe(false);
  expect(error.attempts).toBe(1);
  expect(emu.counters().calls.AddBatchRequests).toBe(1);
  expect(emu.requestIds(batch.batchId)).toHaveLength(0);
});

it("never retries INVALID_ARGUMENT", async () => {
  emu = await startEmulator({ models: ["grok-4"] });
  const client = new Client({ apiKey: "k", baseUrl: emu.url, batchModels: "any" });
  const batch = await client.batch.create("m");
  const error = (await client.batch
    .add(batch.batchId, [client.chat.create("grok-3").append(user("hi"))])
    .catch((e: unknown) => e)) as ApiError;
  client.close();
  expect(error.code).toBe(Code.InvalidArgument);
  expect(error.rawMessage).toMatch(/grok-3/);
  expect(emu.counters().calls.AddBatchRequests).toBe(1);
});

it("returns at once when aborted while it waits to retry", async () => {
  emu = await startEmulator({ limits: { createIntervalMs: 600_000 } });
  const controller = new AbortController();
  // The server names a 10-minute wait, longer than the test may run: only the abort can end it in time.
  // The abort comes as the wait begins, once onRetry has returned.
  const client = new Client({
    apiKey: "k",
    baseUrl: emu.url,
    quotaLimiter: unpaced,
    retry: { maxHintMs: 600_000, onRetry: () => queueMicrotask(() => controller.abort()) },
  });
  await client.batch.create("first");
  const error = (await client.batch
    .create("second", { signal: controller.signal, timeoutMs: 1_200_000 })
    .catch((e: unknown) => e)) as ApiError;
  client.close();
  expect(error.code).toBe(Code.Canceled);
  expect(emu.counters().calls.CreateBatch).toBe(2);
});

it("stops retrying when the retry budget is spent, so an outage is not hit with a storm", async () => {
  emu = await startEmulator({ faults: { unavailableRate: 1 } });
  const client = new Client({ apiKey: "k", baseUrl: emu.url, retry: { transientBackoff: { initialMs: 1, maxMs: 2, multiplier: 1 } } });
  for (let i = 0; i < 20; i++) await client.batch.get("b1").catch(() => undefined);
  client.close();
  // Without a budget: 20 calls × 5 attempts = 100. With it, retries stop once half the tokens are gone.
  expect(emu.counters().calls.GetBatch).toBeLessThanOrEqual(30);
  expect(emu.counters().calls.GetBatch).toBeGreaterThanOrEqual(20);
});

it("bounds a whole add by its totalTimeoutMs, quota waits included", async () => {
  emu = await startEmulator({ limits: { addCallsPerWindow: 1, addWindowMs: 10_000 } });
  const client = new Client({ apiKey: "k", baseUrl: emu.url, limits: { addCallsPerWindow: 1, addWindowMs: 10_000 } });
  const batch = await client.batch.create("slow-quota");
  const requests = Array.from({ length: 3 }, (_, i) => client.chat.create("grok-4", { batchRequestId: `t${i}` }).append(user("hi")));
  // Unbounded, the add would wait 10 s for quota twice and succeed.
  const error = (await client.batch
    .add(batch.batchId, requests, { maxRequestsPerCall: 1, totalTimeoutMs: 300 })
    .catch((e: unknown) => e)) as ApiError;
  client.close();
  expect(error.code).toBe(Code.DeadlineExceeded);
  expect(emu.requestIds(batch.batchId)).toEqual(["t0"]);
});

it("refuses an oversize request before sending anything, or skips it on request", async () => {
  emu = await startEmulator();
  const client = new Client({ apiKey: "k", baseUrl: emu.url, limits: { maxAddBytes: 5_000 } });
  const batch = await client.batch.create("o");
  const requests = () => [
    client.chat.create("grok-4", { batchRequestId: "small" }).append(user("hi")),
    client.chat.create("grok-4", { batchRequestId: "huge" }).append(user("z".repeat(6_000))),
  ];
  await expect(client.batch.add(batch.batchId, requests())).rejects.toThrow(InputError);
  expect(emu.counters().calls.AddBatchRequests).toBe(0);
  const skipped: string[] = [];
  const result = await client.batch.add(batch.batchId, requests(), {
    oversize: "skip",
    onSkip: (s) => skipped.push(s.batchRequestId ?? ""),
  });
  client.close();
  expect(skipped).toEqual(["huge"]);
  expect(result).toMatchObject({ requestsAdded: 1, skipped: 1 });
});

it("an add that gives up names the failure that stopped it and how many requests are confirmed, not a symptom", async () => {
  emu = await startEmulator({ processing: { requestsPerSecond: 0 } });
  const client = new Client({ apiKey: "k", baseUrl: emu.url, retry: { transientBackoff: { initialMs: 5, maxMs: 20, multiplier: 2 } } });
  const batch = await client.batch.create("outage");
  const requests = Array.from({ length: 2_000 }, (_, i) => client.chat.create("grok-4", { batchRequestId: `o${i}` }).append(user(`q${i}`)));
  const error = (await client.batch
    .add(batch.batchId, requests, {
      maxRequestsPerCall: 100,
      concurrency: 1,
      timeoutMs: 10_000,
      // The service goes down for good once 500 requests are in.
      onProgress: (p) => {
        if (p.requestsAdded >= 500) emu!.setFaults({ unavailableRate: 1 });
      },
    })
    .catch((e: unknown) => e)) as ApiError;
  client.close();
  expect(error).toBeInstanceOf(ApiError);
  expect(error.code).toBe(Code.Unavailable);
  expect(error.attempts).toBeGreaterThanOrEqual(10);
  expect(error.message).toMatch(
    new RegExp(
      `the add stopped after UNAVAILABLE on ${error.attempts} attempts in a row; 500 requests are confirmed in batch ${batch.batchId}: 500 added by this add, 0 there before\\. Running the same add again sends only the rest\\.`,
    ),
  );
  expect(emu.requestIds(batch.batchId)).toHaveLength(500);
}, 30_000);

it("an abort while a call waits for quota is CANCELED in the reason's words, as one in flight is, not UNKNOWN", async () => {
  emu = await startEmulator({ limits: { addCallsPerWindow: 1, addWindowMs: 10_000, createIntervalMs: 0 } });
  // The client's own limiter, watched: the abort comes once the second add has asked it for a slot,
  // which it cannot have for 10 s.
  const limiter = MemoryQuotaLimiter.fromLimits({ ...defaultLimits, addCallsPerWindow: 1, addWindowMs: 10_000 });
  let onAddWait = () => {};
  const watched: QuotaLimiter = {
    acquire: (kind, signal) => {
      const permit = limiter.acquire(kind, signal);
      if (kind === "add") onAddWait();
      return permit;
    },
    pause: (kind, untilMs) => limiter.pause(kind, untilMs),
  };
  const client = new Client({ apiKey: "k", baseUrl: emu.url, quotaLimiter: watched });
  const batch = await client.batch.create("quota-abort");
  const request = (id: string) => client.chat.create("grok-4", { batchRequestId: id }).append(user("hi"));
  await client.batch.add(batch.batchId, [request("first")]);
  const controller = new AbortController();
  onAddWait = () => setImmediate(() => controller.abort(new Error("shutting down")));
  const error = (await client.batch
    .add(batch.batchId, [request("second")], { signal: controller.signal })
    .catch((e: unknown) => e)) as ApiError;
  client.close();
  expect(error).toBeInstanceOf(ApiError);
  expect(error.code).toBe(Code.Canceled);
  expect(error.rawMessage).toMatch(/^shutting down \(the add stopped after CANCELED on 1 attempt; 0 requests are confirmed/);
  expect(emu.requestIds(batch.batchId)).toEqual(["first"]);
});
