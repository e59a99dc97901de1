import { afterEach, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { runTeam, workerRequestId, type WorkerReport } from "../support/quota-team.js";
import { startRedisServer, type RedisServer } from "../support/redis-server.js";
import { expectAtMostPerWindow } from "../support/windows.js";

// 8 worker processes, each its own Client, share one team's add quota through Redis: 40,000 requests in
// calls of 100 under a window scaled to 80 calls per 2 s, so 400 calls need 5 waves. What the team does,
// not how fast: the time it takes beside the quota's minimum, and how evenly the workers share it, are
// bench/many-workers.ts's checks (scenario 6).
const workers = 8;
const requestsPerWorker = 5_000;
const maxRequestsPerCall = 100;
const limits = { addCallsPerWindow: 80, addWindowMs: 2_000, createPerSecond: 10 };

let emulator: Emulator | undefined;
let redis: RedisServer | undefined;
afterEach(async () => {
  await emulator?.stop();
  await redis?.stop();
  emulator = redis = undefined;
});

async function start(): Promise<{ emulator: Emulator; redis: RedisServer }> {
  redis = await startRedisServer();
  // The server referees: its limits are the team's, counted across all 8 workers' connections.
  emulator = await startEmulator({
    limits: { addCallsPerWindow: limits.addCallsPerWindow, addWindowMs: limits.addWindowMs, createIntervalMs: 100 },
    processing: { requestsPerSecond: 0 },
  });
  return { emulator, redis };
}

function expectEveryRequestOnce(emu: Emulator, reports: readonly WorkerReport[]): void {
  expect(reports).toHaveLength(workers);
  for (const report of reports) {
    const expected = Array.from({ length: requestsPerWorker }, (_, i) => workerRequestId(report.index, i));
    expect(emu.requestIds(report.batchId).sort()).toEqual(expected.sort());
  }
}

it("8 worker processes add 40,000 requests through one Redis quota: no rejection, each request once, never more than the limit in a window", {
  timeout: 90_000,
}, async () => {
  const { emulator: emu, redis: store } = await start();
  const reports = await runTeam(workers, {
    baseUrl: emu.url,
    redisUrl: store.url,
    limits,
    requests: requestsPerWorker,
    maxRequestsPerCall,
  });
  expect(emu.counters().rejections.rate).toBe(0);
  expect(reports.map((r) => r.retries)).toEqual(Array(workers).fill(0));
  expect(reports.reduce((n, r) => n + r.calls, 0)).toBe((workers * requestsPerWorker) / maxRequestsPerCall);
  expectEveryRequestOnce(emu, reports);
  expectAtMostPerWindow(
    reports.flatMap((r) => r.sent),
    limits.addCallsPerWindow,
    limits.addWindowMs,
  );
});

it("Redis killed mid-run and restarted: each request still once, and while it is down each worker keeps to its share", {
  timeout: 90_000,
}, async () => {
  const { emulator: emu, redis: store } = await start();
  const windowMs = limits.addWindowMs;
  let lostAtMs = 0;
  let backAtMs = 0;
  const reports = await runTeam(
    workers,
    { baseUrl: emu.url, redisUrl: store.url, limits, requests: requestsPerWorker, maxRequestsPerCall },
    async (team) => {
      // Two full waves answered: the third may not start until a window after the second did, so Redis
      // goes down with no call in flight and none about to be let go through it.
      await team.completed(2 * limits.addCallsPerWindow);
      lostAtMs = Date.now();
      await store.kill();
      // One window's worth more, all paced locally; back on Redis while the workers wait for their next local window.
      await team.completed(3 * limits.addCallsPerWindow);
      await store.restart();
      backAtMs = Date.now();
    },
  );
  expect(backAtMs).toBeGreaterThan(0);
  expectEveryRequestOnce(emu, reports);
  expect(emu.counters().rejections.rate).toBe(0);
  // The default policy: nothing for one window after the loss (the shared log may have been full), then
  // each worker alone at 80 / 8 per window; back on Redis, the team waits for those calls to leave the window.
  const all = reports.flatMap((r) => r.sent);
  expect(all.filter((t) => t >= lostAtMs && t < lostAtMs + windowMs)).toEqual([]);
  const local = reports.map((r) => r.sent.filter((t) => t >= lostAtMs && t <= backAtMs));
  expect(local.flat().length).toBeGreaterThanOrEqual(limits.addCallsPerWindow);
  for (const sent of local) expectAtMostPerWindow(sent, limits.addCallsPerWindow / workers, windowMs);
  expectAtMostPerWindow(all, limits.addCallsPerWindow, windowMs);
});
