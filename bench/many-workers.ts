// Scenario 6: one team's quota shared by 8 worker processes (each its own Client), through one Redis, vs
// the same 8 workers each pacing with its own in-memory limiter (the default), under a scaled-down window.
import { runTeam, teamTiming } from "../test/support/quota-team.js";
import { startRedisServer } from "../test/support/redis-server.js";
import { startBenchEmulator, type BenchEmulator } from "./support/emulator.js";
import { isMain, runScenarioScript } from "./support/main.js";
import { formatCount, formatRatio, progress, type ScenarioReport } from "./support/table.js";

/** How much to measure. */
export interface ManyWorkersOptions {
  workers: number;
  requestsPerWorker: number;
  maxRequestsPerCall: number;
  /** The scaled-down quota: add calls per window, for the whole team. */
  callsPerWindow: number;
  windowMs: number;
}

export const defaultManyWorkersOptions: Readonly<ManyWorkersOptions> = Object.freeze({
  workers: 8,
  requestsPerWorker: 5_000,
  maxRequestsPerCall: 100,
  callsPerWindow: 80,
  windowMs: 2_000,
});

interface Measured {
  readonly name: string;
  readonly elapsedMs: number;
  readonly minimumMs: number;
  readonly rejections: number;
  readonly retries: number;
  readonly finishSpreadMs: number;
  readonly maxQuotaWaitMs: number;
}

/** Runs both variants, one after the other, each against a fresh emulator process enforcing the team's quota. */
export async function run(options: Partial<ManyWorkersOptions> = {}): Promise<ScenarioReport> {
  const o = { ...defaultManyWorkersOptions, ...options };
  const redis = await startRedisServer();
  try {
    const shared = await measure(`${o.workers} workers, one quota (Redis)`, o, redis.url);
    const local = await measure(`${o.workers} workers, each with a local limiter`, o, undefined);
    return report([shared, local], o);
  } finally {
    await redis.stop();
  }
}

async function measure(name: string, o: ManyWorkersOptions, redisUrl: string | undefined): Promise<Measured> {
  const server: BenchEmulator = await startBenchEmulator({
    limits: { addCallsPerWindow: o.callsPerWindow, addWindowMs: o.windowMs, createIntervalMs: 0 },
    processing: { requestsPerSecond: 0 },
  });
  try {
    const limits = { addCallsPerWindow: o.callsPerWindow, addWindowMs: o.windowMs, createPerSecond: 1_000 };
    const config = { baseUrl: server.url, redisUrl, limits, requests: o.requestsPerWorker, maxRequestsPerCall: o.maxRequestsPerCall };
    const reports = await runTeam(o.workers, config);
    const expectedCalls = (o.workers * o.requestsPerWorker) / o.maxRequestsPerCall;
    const calls = reports.reduce((n, r) => n + r.calls, 0);
    if (calls < expectedCalls) throw new Error(`${name}: ${calls} add calls, expected at least ${expectedCalls}`);
    const timing = teamTiming(reports, o.callsPerWindow, o.windowMs);
    const measured: Measured = {
      name,
      elapsedMs: timing.elapsedMs,
      minimumMs: timing.minimumMs,
      rejections: (await server.stats()).counters.rejections.rate,
      retries: reports.reduce((n, r) => n + r.retries, 0),
      finishSpreadMs: timing.finishSpreadMs,
      maxQuotaWaitMs: Math.max(...reports.flatMap((r) => r.waitsMs)),
    };
    progress(`many workers: ${name}: ${measured.elapsedMs} ms, ${measured.rejections} rejections`);
    return measured;
  } finally {
    await server.stop();
  }
}

function report(runs: readonly Measured[], o: ManyWorkersOptions): ScenarioReport {
  // Both variants face the same quota and calls, so one minimum serves both: the shared run's, where every
  // send was accepted (rejected attempts are among the local variant's sends and would skew its own).
  const shared = runs[0]!;
  const calls = (o.workers * o.requestsPerWorker) / o.maxRequestsPerCall;
  return {
    tables: [
      {
        title: `6. Many workers, one quota: ${o.workers} worker processes add ${formatCount(o.workers * o.requestsPerWorker)} requests (${formatCount(calls)} calls) under ${o.callsPerWindow} calls per ${o.windowMs} ms`,
        columns: [
          "workers",
          "wall ms",
          "minimum ms",
          "wall vs minimum",
          "rate rejections (server)",
          "retries (clients)",
          "finish spread ms",
          "longest quota wait ms",
        ],
        rows: runs.map((r) => [
          r.name,
          r.elapsedMs.toFixed(0),
          shared.minimumMs.toFixed(0),
          formatRatio(r.elapsedMs / shared.minimumMs),
          formatCount(r.rejections),
          formatCount(r.retries),
          r.finishSpreadMs.toFixed(0),
          r.maxQuotaWaitMs.toFixed(0),
        ]),
        notes: [
          `One run per variant: each worker is a child process with its own Client and connection, adding its ${formatCount(o.requestsPerWorker)} requests in calls of ${o.maxRequestsPerCall} into a batch of its own; one emulator process enforces the team's quota over all connections; redis-server on loopback, no persistence.`,
          "Minimum = the windows the calls need (each wave's first send one window after the previous wave's) + the last wave's own time, measured in the one-quota run, where every send was accepted; the same for both rows. Wall = first send to last completion.",
          "Finish spread: first worker done to last worker done. Longest quota wait: the longest any one add call waited for its slot.",
        ],
      },
    ],
    checks: [
      {
        scenario: "6. many workers",
        target: "one quota: 0 rate rejections",
        measured: formatCount(shared.rejections),
        met: shared.rejections === 0,
      },
      {
        scenario: "6. many workers",
        target: "one quota: wall ≤ 1.10× minimum",
        measured: formatRatio(shared.elapsedMs / shared.minimumMs),
        met: shared.elapsedMs <= 1.1 * shared.minimumMs,
      },
      // Fairness: waiters are admitted in arrival order, so the workers finish within about one window of
      // each other and no call waits much beyond the window its turn falls in.
      {
        scenario: "6. many workers",
        target: "one quota: finish spread ≤ 1.5 windows",
        measured: inWindows(shared.finishSpreadMs, o),
        met: shared.finishSpreadMs <= 1.5 * o.windowMs,
      },
      {
        scenario: "6. many workers",
        target: "one quota: longest quota wait ≤ 2 windows",
        measured: inWindows(shared.maxQuotaWaitMs, o),
        met: shared.maxQuotaWaitMs <= 2 * o.windowMs,
      },
    ],
  };
}

/** `ms` as a multiple of the window: `0.37 windows`. */
function inWindows(ms: number, o: ManyWorkersOptions): string {
  return `${(ms / o.windowMs).toFixed(2)} windows`;
}

if (isMain(import.meta.url)) await runScenarioScript(run, defaultManyWorkersOptions);
