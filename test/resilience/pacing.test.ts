import { create } from "@bufbuild/protobuf";
import { afterEach, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { Client, MemoryQuotaLimiter, user, type QuotaLimiter, type Rate, type RetryEvent } from "../../src/index.js";
import { sentMarginMs } from "../../src/core/internal/pacing.js";
import { BatchSchema } from "../../src/core/internal/wire.js";
import { Conditions } from "../support/conditions.js";
import { startEmulatorProcess, type EmulatorProcess } from "../support/emulator-process.js";
import { startTestServer, type TestServer } from "../support/test-server.js";
import { expectAtMostPerWindow } from "../support/windows.js";

// What pacing does against a server that counts. How little time it costs beside the window's own
// minimum is a matter of speed, measured on a quiet machine: bench/quota-efficiency.ts (scenario 5).

let emu: Emulator | undefined;
let server: EmulatorProcess | undefined;
let testServer: TestServer | undefined;
afterEach(async () => {
  await emu?.stop();
  await server?.stop();
  await testServer?.stop();
  emu = server = testServer = undefined;
});

/** The limiter's own slot margin (MemoryQuotaLimiter): a slot frees this long after it leaves the window. */
const marginMs = 5;

type Event = { readonly kind: "sent"; readonly at: number } | { readonly kind: "pause"; readonly at: number; readonly until: number };

/**
 * The library's in-memory limiter at `add` rates, recording each add call it lets go and each pause it is
 * told, in the order they happen. Its clock reads Date.now once per turn of the event loop, for the limiter
 * and the record alike: whatever happens in one turn happens at one time, so a call let go in the turn a
 * pause came, before it, is told apart from one let go after it by time alone. Its permits report no write,
 * so each slot is anchored at the response, which comes after the server counted the call.
 */
function watched(add: Rate): { limiter: QuotaLimiter; events: Event[]; sent: () => number[] } {
  let turn: number | undefined;
  const now = () => {
    if (turn === undefined) {
      turn = Date.now();
      setImmediate(() => (turn = undefined));
    }
    return turn;
  };
  const inner = new MemoryQuotaLimiter({ create: { limit: 1, windowMs: 1 }, add }, now);
  const events: Event[] = [];
  const limiter: QuotaLimiter = {
    acquire: async (kind, signal) => {
      const permit = await inner.acquire(kind, signal);
      if (kind === "add") events.push({ kind: "sent", at: now() });
      return { release: () => permit.release() };
    },
    pause: (kind, until) => {
      if (kind === "add") events.push({ kind: "pause", at: now(), until });
      inner.pause(kind, until);
    },
  };
  const sent = () => events.flatMap((e) => (e.kind === "sent" ? [e.at] : []));
  return { limiter, events, sent };
}

it("pushes 250 add calls through a 100-per-300 ms window: every call made, none rejected, never more than 100 in a window", async () => {
  const limits = { addCallsPerWindow: 100, addWindowMs: 300 };
  // The server in its own process, so its work does not share a thread with the client's.
  server = await startEmulatorProcess([
    "--add-calls-per-window",
    "100",
    "--add-window-ms",
    "300",
    "--rate",
    "1",
    "--create-interval-ms",
    "0",
  ]);
  const { limiter, sent } = watched({ limit: limits.addCallsPerWindow, windowMs: limits.addWindowMs });
  const retries: RetryEvent[] = [];
  const client = new Client({
    apiKey: "k",
    baseUrl: server.url,
    limits,
    quotaLimiter: limiter,
    retry: { onRetry: (e) => retries.push(e) },
  });
  const batch = await client.batch.create("paced");
  const requests = Array.from({ length: 250 }, (_, i) => client.chat.create("grok-4", { batchRequestId: `p${i}` }).append(user("hi")));
  const result = await client.batch.add(batch.batchId, requests, { maxRequestsPerCall: 1 });
  client.close();
  expect(result.calls).toBe(250);
  expect(retries).toEqual([]); // a rate rejection would have been retried
  expect(sent()).toHaveLength(250);
  expectAtMostPerWindow(sent(), limits.addCallsPerWindow, limits.addWindowMs);
});

it("paces batch creation to the team's rate, with no rejection", async () => {
  // The server refuses a second creation within 100 ms of the last; the client is told 10 per second.
  emu = await startEmulator({ limits: { createIntervalMs: 100 } });
  const client = new Client({ apiKey: "k", baseUrl: emu.url, limits: { createPerSecond: 10 } });
  await Promise.all(Array.from({ length: 5 }, (_, i) => client.batch.create(`b${i}`)));
  client.close();
  expect(emu.counters().calls.CreateBatch).toBe(5);
  expect(emu.counters().rejections.rate).toBe(0);
});

it("when the server says the quota is spent, no add is let go until the time it named", async () => {
  // The client believes in a far larger quota than the server grants, so only the server's RetryInfo keeps it in check.
  emu = await startEmulator({ limits: { addCallsPerWindow: 10, addWindowMs: 200 }, processing: { requestsPerSecond: 1 } });
  const { limiter, events } = watched({ limit: 1_000, windowMs: 200 });
  const client = new Client({
    apiKey: "k",
    baseUrl: emu.url,
    quotaLimiter: limiter,
    retry: { maxAttempts: 20, budget: { maxTokens: 1_000, tokenRatio: 1 } },
  });
  const batch = await client.batch.create("paused");
  const requests = Array.from({ length: 400 }, (_, i) => client.chat.create("grok-4", { batchRequestId: `q${i}` }).append(user("hi")));
  const result = await client.batch.add(batch.batchId, requests, { maxRequestsPerCall: 10, concurrency: 8 });
  client.close();
  expect(result.calls).toBe(40);
  expect(emu.requestIds(batch.batchId)).toHaveLength(400);
  const pauses = events.flatMap((e) => (e.kind === "pause" ? [e] : []));
  expect(pauses.length).toBeGreaterThan(0);
  expect(emu.counters().rejections.rate).toBe(pauses.length); // one pause for each rejection, until the time it named
  // Calls already in flight when a rejection came may still land, and a call let go in the same turn
  // before the pause was told is not inside it; nothing is let go after the pause began and before it ends.
  for (const pause of pauses) expect(events.filter((e) => e.kind === "sent" && e.at > pause.at && e.at < pause.until)).toEqual([]);
});

it("lets the next call go one window after the last one's request was written, while its response is still out", async () => {
  const windowMs = 100;
  const calls = 3;
  const admitted: number[] = [];
  const written: number[] = [];
  const admissions = new Conditions();
  // Each add call's response is held until the next call has been let go (the last is answered at once),
  // or, were that never to happen, until a bound: anchored at its response, the next could not be.
  const heldUntil: string[] = [];
  let arrived = 0;
  testServer = await startTestServer({
    getBatch: async (req) => create(BatchSchema, { batchId: req.batchId }),
    addBatchRequests: async () => {
      const call = arrived++;
      heldUntil[call] =
        call === calls - 1
          ? "the last"
          : await Promise.race([
              admissions.when(() => admitted.length > call + 1).then(() => "the next was let go"),
              new Promise<string>((resolve) => setTimeout(resolve, 5_000, "the bound").unref()),
            ]);
      return {};
    },
  });
  const inner = new MemoryQuotaLimiter({ create: { limit: 1, windowMs: 1 }, add: { limit: 1, windowMs } });
  const limiter: QuotaLimiter = {
    acquire: async (kind, signal) => {
      const permit = await inner.acquire(kind, signal);
      if (kind !== "add") return permit;
      admitted.push(Date.now());
      admissions.recheck();
      return {
        sent: () => {
          written.push(Date.now());
          permit.sent!();
        },
        release: () => permit.release(),
      };
    },
    pause: (kind, until) => inner.pause(kind, until),
  };
  const client = new Client({ apiKey: "k", baseUrl: testServer.url, quotaLimiter: limiter });
  const requests = Array.from({ length: calls }, (_, i) => client.chat.create("grok-4", { batchRequestId: `a${i}` }).append(user("hi")));
  const result = await client.batch.add("b1", requests, { maxRequestsPerCall: 1 });
  client.close();
  expect(result.calls).toBe(calls);
  expect(heldUntil).toEqual(["the next was let go", "the next was let go", "the last"]);
  expect(written).toHaveLength(calls);
  // Read before the limiter learns of the write, so no later than its anchor: never before that write,
  // plus the margin for the server's counting, plus the window.
  for (let i = 1; i < calls; i++) expect(admitted[i]! - written[i - 1]!).toBeGreaterThanOrEqual(sentMarginMs + windowMs + marginMs);
});
