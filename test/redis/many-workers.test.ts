import { afterEach, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { runTeam, teamTiming, workerRequestId, type WorkerReport } from "../support/quota-team.js";
import { startRedisServer, type RedisServer } from "../support/redis-server.js";

// 8 worker processes, each its own Client, share one team's add quota through Redis: 40,000 requests in
// calls of 100 under a window scaled to 80 calls per 2 s, so 400 calls need 5 waves. Windows of seconds,
// not milliseconds, keep each wave's unavoidable cost (one call's latency) small beside the window on a
// busy 2-core machine.
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

/** At most `limit` sends in any window (2 ms for timer granularity). */
function expectWithinWindow(sent: number[], limit: number, windowMs: number): void {
  const sorted = [...sent].sort((a, b) => a - b);
  for (let i = 0; i + limit < sorted.length; i++) expect(sorted[i + limit]! - sorted[i]!).toBeGreaterThanOrEqual(windowMs - 2);
}

it("8 worker processes add 40,000 requests through one Redis quota: no rejection, each request once, within 10% of the minimum time, fairly", { timeout: 90_000 }, async () => {
  const { emulator: emu, redis: store } = await start();
  const { reports } = await runTeam(workers, { baseUrl: emu.url, redisUrl: store.url, limits, requests: requestsPerWorker, maxRequestsPerCall }, limits.addWindowMs);
  expect(emu.counters().rejections.rate).toBe(0);
  expect(reports.map((r) => r.retries)).toEqual(Array(workers).fill(0));
  expect(reports.reduce((n, r) => n + r.calls, 0)).toBe((workers * requestsPerWorker) / maxRequestsPerCall);
  expectEveryRequestOnce(emu, reports);
  expectWithinWindow(reports.flatMap((r) => r.sent), limits.addCallsPerWindow, limits.addWindowMs);
  const timing = teamTiming(reports, limits.addCallsPerWindow, limits.addWindowMs);
  expect(timing.elapsedMs).toBeLessThanOrEqual(timing.minimumMs * 1.1);
  // Fairness: waiters are admitted in arrival order, so the workers finish within about one window of each
  // other and no call waits much beyond the window its turn falls in.
  expect(timing.finishSpreadMs).toBeLessThanOrEqual(1.5 * limits.addWindowMs);
  expect(Math.max(...reports.flatMap((r) => r.waitsMs))).toBeLessThanOrEqual(2 * limits.addWindowMs);
});

it("Redis killed mid-run and restarted: each request still once, and while it is down each worker keeps to its share", { timeout: 90_000 }, async () => {
  const { emulator: emu, redis: store } = await start();
  const windowMs = limits.addWindowMs;
  let lostAtMs = 0;
  let backAtMs = 0;
  const { reports } = await runTeam(workers, { baseUrl: emu.url, redisUrl: store.url, limits, requests: requestsPerWorker, maxRequestsPerCall }, windowMs, async (goAtMs) => {
    await new Promise((resolve) => setTimeout(resolve, goAtMs + 2.5 * windowMs - Date.now()));
    lostAtMs = Date.now();
    await store.kill();
    await new Promise((resolve) => setTimeout(resolve, 2 * windowMs));
    await store.restart();
    backAtMs = Date.now();
  });
  expect(backAtMs).toBeGreaterThan(0);
  expectEveryRequestOnce(emu, reports);
  // The default policy: nothing for one window after the loss (the shared log may have been full), then
  // each worker alone at 80 / 8 per window; back on Redis, the team waits for those calls to leave the window.
  const all = reports.flatMap((r) => r.sent);
  expect(all.filter((t) => t > lostAtMs + 100 && t < lostAtMs + windowMs - 10)).toEqual([]);
  const local = reports.map((r) => r.sent.filter((t) => t >= lostAtMs + windowMs && t <= backAtMs));
  expect(local.flat().length).toBeGreaterThan(0);
  for (const sent of local) expectWithinWindow(sent, limits.addCallsPerWindow / workers, windowMs);
  expectWithinWindow(all, limits.addCallsPerWindow, windowMs);
  expect(emu.counters().rejections.rate).toBe(0);
});
