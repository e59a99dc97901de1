import { afterEach, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { Client, MemoryQuotaLimiter, user, type QuotaLimiter, type RetryEvent } from "../../src/index.js";
import { sentMarginMs } from "../../src/core/internal/pacing.js";
import { startEmulatorProcess, type EmulatorProcess } from "../support/emulator-process.js";

let emu: Emulator | undefined;
let server: EmulatorProcess | undefined;
afterEach(async () => {
  await emu?.stop();
  await server?.stop();
  emu = undefined;
  server = undefined;
});

it("pushes 250 add calls through a 100-per-300 ms window with no rate rejection, within 10% of the minimum time", async () => {
  const limits = { addCallsPerWindow: 100, addWindowMs: 300 };
  // The server in its own process, so its work does not share a thread with the client's.
  server = await startEmulatorProcess(["--add-calls-per-window", "100", "--add-window-ms", "300", "--rate", "1", "--create-interval-ms", "0"]);
  const { watched, sent, done } = watch(new MemoryQuotaLimiter({ create: { limit: 1, windowMs: 1 }, add: { limit: limits.addCallsPerWindow, windowMs: limits.addWindowMs } }));
  const retries: RetryEvent[] = [];
  const client = new Client({ apiKey: "k", baseUrl: server.url, limits, quotaLimiter: watched, retry: { onRetry: (e) => retries.push(e) } });
  // A first call pays for connection set-up and JIT warm-up on both sides; it is not what pacing costs.
  await client.batch.add((await client.batch.create("warmup")).batchId, [client.chat.create("grok-4").append(user("warm"))]);
  await new Promise((r) => setTimeout(r, limits.addWindowMs + 20));
  sent.length = 0;
  done.length = 0;
  const batch = await client.batch.create("paced");
  const requests = Array.from({ length: 250 }, (_, i) => client.chat.create("grok-4", { batchRequestId: `p${i}` }).append(user("hi")));
  const result = await client.batch.add(batch.batchId, requests, { maxRequestsPerCall: 1 });
  client.close();
  expect(result.calls).toBe(250);
  expect(retries).toEqual([]); // a rate rejection would have been retried
  // The window lets calls 101-200 start one window after calls 1-100, and 201-250 two windows after;
  // the last wave then takes what it takes. Anything beyond that is time the pacing lost.
  const elapsed = Math.max(...done) - sent[0]!;
  const lastWave = Math.max(...done) - sent[200]!;
  const minimum = 2 * limits.addWindowMs + lastWave;
  expect(sent[100]! - sent[0]!).toBeGreaterThanOrEqual(limits.addWindowMs);
  expect(sent[200]! - sent[100]!).toBeGreaterThanOrEqual(limits.addWindowMs);
  expect(elapsed).toBeLessThanOrEqual(minimum * 1.1);
});

it("paces batch creation to the team's rate, with no rejection", async () => {
  emu = await startEmulator({ limits: { createIntervalMs: 100 } });
  const client = new Client({ apiKey: "k", baseUrl: emu.url, limits: { createPerSecond: 10 } });
  const started = Date.now();
  await Promise.all(Array.from({ length: 5 }, (_, i) => client.batch.create(`b${i}`)));
  client.close();
  expect(emu.counters().rejections.rate).toBe(0);
  expect(Date.now() - started).toBeGreaterThanOrEqual(4 * 100);
});

it("when the server says the quota is spent, no add is sent until the time it named", async () => {
  // The client believes in a far larger quota than the server grants, so only the server's RetryInfo keeps it in check.
  const serverLimits = { addCallsPerWindow: 10, addWindowMs: 200 };
  emu = await startEmulator({ limits: serverLimits, processing: { requestsPerSecond: 1 } });
  const { watched, sent } = watch(new MemoryQuotaLimiter({ create: { limit: 1, windowMs: 1_000 }, add: { limit: 1_000, windowMs: 200 } }));
  const pauses: { at: number; until: number }[] = [];
  const client = new Client({
    apiKey: "k",
    baseUrl: emu.url,
    quotaLimiter: watched,
    retry: {
      maxAttempts: 20,
      budget: { maxTokens: 1_000, tokenRatio: 1 },
      onRetry: (e) => e.error.isQuotaError && pauses.push({ at: Date.now(), until: Date.now() + e.delayMs }),
    },
  });
  const batch = await client.batch.create("paused");
  const requests = Array.from({ length: 400 }, (_, i) => client.chat.create("grok-4", { batchRequestId: `q${i}` }).append(user("hi")));
  const result = await client.batch.add(batch.batchId, requests, { maxRequestsPerCall: 10, concurrency: 8 });
  client.close();
  expect(result.calls).toBe(40);
  expect(pauses.length).toBeGreaterThan(0);
  expect(emu.counters().rejections.rate).toBe(pauses.length);
  // Calls already in flight when a rejection arrived may still land; nothing is *sent* inside a pause.
  for (const pause of pauses) {
    const inside = sent.filter((t) => t > pause.at + 1 && t < pause.until - 1);
    expect(inside).toEqual([]);
  }
  expect(emu.requestIds(batch.batchId)).toHaveLength(400);
});

/** Wraps a limiter to record when each add call was let go and when it finished. */
function watch(inner: QuotaLimiter): { watched: QuotaLimiter; sent: number[]; done: number[] } {
  const sent: number[] = [];
  const done: number[] = [];
  const watched: QuotaLimiter = {
    acquire: async (kind, signal) => {
      const permit = await inner.acquire(kind, signal);
      if (kind !== "add") return permit;
      sent.push(Date.now());
      return {
        release: () => {
          permit.release();
          done.push(Date.now());
        },
      };
    },
    pause: (kind, until) => inner.pause(kind, until),
  };
  return { watched, sent, done };
}

it("starts the next wave one window after the last one's requests were written, not after their responses", async () => {
  const limits = { addCallsPerWindow: 1, addWindowMs: 600 };
  // The answer comes late: each permit is released 800 ms after the call returned, as if the server took
  // that long to answer after counting. Anchoring at the response would hold the next call until then.
  const answerLateMs = 800;
  server = await startEmulatorProcess(["--add-calls-per-window", "1", "--add-window-ms", "600", "--rate", "1", "--create-interval-ms", "0"]);
  const times = { sent: [] as number[], written: [] as number[], released: [] as number[] };
  const inner = new MemoryQuotaLimiter({ create: { limit: 1, windowMs: 1 }, add: { limit: limits.addCallsPerWindow, windowMs: limits.addWindowMs } });
  const watched: QuotaLimiter = {
    acquire: async (kind, signal) => {
      const permit = await inner.acquire(kind, signal);
      if (kind !== "add") return permit;
      times.sent.push(Date.now());
      return {
        sent: () => {
          times.written.push(Date.now());
          permit.sent!();
        },
        release: () => {
          setTimeout(() => {
            times.released.push(Date.now());
            permit.release();
          }, answerLateMs);
        },
      };
    },
    pause: (kind, until) => inner.pause(kind, until),
  };
  const retries: RetryEvent[] = [];
  const client = new Client({ apiKey: "k", baseUrl: server.url, limits, quotaLimiter: watched, retry: { onRetry: (e) => retries.push(e) } });
  const chats = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => client.chat.create("grok-4", { batchRequestId: `${prefix}${i}` }).append(user("hi")));
  // A first call warms up the JIT on both sides: a cold server counts its first call later after the write than the next.
  await client.batch.add((await client.batch.create("warmup")).batchId, chats("w", 5_000));
  await new Promise((r) => setTimeout(r, limits.addWindowMs + answerLateMs + 100));
  times.sent.length = times.written.length = times.released.length = 0;
  const batch = await client.batch.create("anchored");
  const perCall = 20_000;
  const result = await client.batch.add(batch.batchId, chats("a", 3 * perCall), { maxRequestsPerCall: perCall });
  await new Promise((r) => setTimeout(r, answerLateMs + 50));
  client.close();
  expect(result.calls).toBe(3);
  expect(retries).toEqual([]); // the real emulator counts each call after decoding it; a rejection would be retried
  expect(times.written).toHaveLength(3);
  for (let i = 1; i < 3; i++) {
    const written = times.written[i - 1]!;
    // Never before the previous write plus the window and both margins...
    expect(times.sent[i]! - written).toBeGreaterThanOrEqual(limits.addWindowMs + sentMarginMs + 5);
    // ...and well before the previous response (released late) plus the window, where anchoring at the
    // response would have sent it (the write's anchor comes ~550 ms earlier; half of that is left for timers).
    expect(times.sent[i]!).toBeLessThan(times.released[i - 1]! + limits.addWindowMs - 300);
  }
}, 40_000);
