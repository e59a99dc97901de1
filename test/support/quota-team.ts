import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { forkTs } from "../../bench/support/fork.js";
import type { Limits } from "../../src/index.js";
import { Conditions } from "./conditions.js";

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

/** What a worker tells the parent: it is ready to add, it completed an add call, or its add has finished. */
export type WorkerMessage = { readonly ready: true } | { readonly addCallDone: true } | { readonly report: WorkerReport };

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

/** What a run can wait on while the adds go on. */
export interface TeamProgress {
  /** Resolves once the workers have completed `count` add calls between them (each attempt, as each takes a slot). */
  completed(count: number): Promise<void>;
}

/**
 * Starts `workers` worker processes (each its own Client), waits until every one has created its batch,
 * then starts their adds together. `during` runs alongside the adds (e.g. to kill Redis at a point of
 * the run), waiting on their progress.
 */
export async function runTeam(
  workers: number,
  config: Omit<WorkerConfig, "index">,
  during?: (team: TeamProgress) => Promise<void>,
): Promise<WorkerReport[]> {
  const children = Array.from({ length: workers }, () => forkTs(new URL("./quota-worker.ts", import.meta.url), []));
  let completed = 0;
  const progress = new Conditions();
  try {
    const listening = children.map((child) =>
      listen(child, () => {
        completed++;
        progress.recheck();
      }),
    );
    for (const [index, child] of children.entries()) child.send({ ...config, index } satisfies WorkerConfig);
    await Promise.all(listening.map((l) => l.ready));
    for (const child of children) child.send({ go: true });
    const [reports] = await Promise.all([
      Promise.all(listening.map((l) => l.report)),
      during?.({ completed: (count) => progress.when(() => completed >= count) }),
    ]);
    return reports.sort((a, b) => a.index - b.index);
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

/** A worker's messages as they come: when it is ready, each add call it completes, and its report; both reject if it exits first. */
function listen(child: ChildProcess, onAddCallDone: () => void): { ready: Promise<void>; report: Promise<WorkerReport> } {
  let ready!: () => void;
  let report!: (r: WorkerReport) => void;
  let exited!: (error: Error) => void;
  const gone = new Promise<never>((_, reject) => (exited = reject));
  gone.catch(() => {}); // read through `ready` and `report`
  child.on("message", (message: WorkerMessage) => {
    if ("ready" in message) ready();
    else if ("addCallDone" in message) onAddCallDone();
    else report(message.report);
  });
  child.once("exit", (code, signal) => exited(new Error(`worker exited (${code ?? signal}) before reporting; its stderr is above`)));
  return {
    ready: Promise.race([new Promise<void>((resolve) => (ready = resolve)), gone]),
    report: Promise.race([new Promise<WorkerReport>((resolve) => (report = resolve)), gone]),
  };
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
  return {
    elapsedMs: lastDone - sent[0]!,
    minimumMs: (waves - 1) * windowMs + lastWave,
    finishSpreadMs: Math.max(...finishes) - Math.min(...finishes),
  };
}
