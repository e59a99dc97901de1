import { once } from "node:events";
import { forkTs, nextMessage } from "../../bench/support/fork.js";
import type { Limits } from "../../src/index.js";

/** What the parent tells a worker. */
export interface WorkerConfig {
  readonly index: number;
  readonly baseUrl: string;
  /** Pace through this Redis; without it, the client's own in-memory limiter. */
  readonly redisUrl?: string;
  readonly limits: Partial<Limits>;
  readonly requests: number;
  readonly maxRequestsPerCall: number;
}

/** What a worker reports when its add has finished (times are Date.now(), one clock for all processes). */
export interface WorkerReport {
  readonly index: number;
  readonly batchId: string;
  /** When each add call was let go by the limiter. */
  readonly sent: number[];
  /** When each add call completed. */
  readonly done: number[];
  /** How long each add call waited for its quota slot. */
  readonly waitsMs: number[];
  readonly retries: number;
  readonly calls: number;
}

/** The ids worker `index` gives its requests, so the parent can check each arrived exactly once. */
export function workerRequestId(index: number, i: number): string {
  return `w${index}-${i}`;
}

/** What a team run measured: every worker's report, and when the parent told them to go. */
export interface TeamRun {
  readonly reports: WorkerReport[];
  readonly goAtMs: number;
}

/**
 * Starts `workers` worker processes (each its own Client), waits until every one has created its batch,
 * lets one window pass so those creates do not overlap the adds, then starts them together. `during`
 * runs alongside the adds (e.g. to kill Redis).
 */
export async function runTeam(workers: number, config: Omit<WorkerConfig, "index">, settleMs: number, during?: (goAtMs: number) => Promise<void>): Promise<TeamRun> {
  const children = Array.from({ length: workers }, () => forkTs(new URL("./quota-worker.ts", import.meta.url), []));
  try {
    const ready = children.map((child) => nextMessage<{ ready: true }>(child));
    children.forEach((child, index) => child.send({ ...config, index } satisfies WorkerConfig));
    await Promise.all(ready);
    await new Promise((resolve) => setTimeout(resolve, settleMs));
    const reports = children.map((child) => nextMessage<WorkerReport>(child));
    const goAtMs = Date.now();
    for (const child of children) child.send({ go: true });
    const [done] = await Promise.all([Promise.all(reports), during?.(goAtMs)]);
    return { reports: done.sort((a, b) => a.index - b.index), goAtMs };
  } finally {
    await Promise.all(
      children.map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = once(child, "exit");
        child.kill("SIGKILL");
        await exited;
      }),
    );
  }
}

/** How long a team's adds took, against the least the quota allows. */
export interface TeamTiming {
  /** From the first add sent to the last completed. */
  readonly elapsedMs: number;
  /**
   * The least the window allows: call k·limit + 1 cannot start before k windows after the first, and the
   * last wave then takes what it takes (from its first send to the last completion).
   */
  readonly minimumMs: number;
  /** From the first worker done to the last: how evenly the quota was shared. */
  readonly finishSpreadMs: number;
}

export function teamTiming(reports: readonly WorkerReport[], limit: number, windowMs: number): TeamTiming {
  const sent = reports.flatMap((r) => r.sent).sort((a, b) => a - b);
  const lastDone = Math.max(...reports.flatMap((r) => r.done));
  const waves = Math.ceil(sent.length / limit);
  const lastWave = lastDone - sent[(waves - 1) * limit]!;
  const finishes = reports.map((r) => Math.max(...r.done));
  return { elapsedMs: lastDone - sent[0]!, minimumMs: (waves - 1) * windowMs + lastWave, finishSpreadMs: Math.max(...finishes) - Math.min(...finishes) };
}
