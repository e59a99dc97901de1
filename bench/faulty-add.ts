// Scenario 6: one long add under sustained faults. N chat requests added by client.batch.add against an
// emulator that answers 30% of calls UNAVAILABLE before applying them and 10% of adds UNAVAILABLE after
// applying them, side by side with the same add against a fault-free emulator. Quota and backoff are 60×
// faster than xAI's (100 adds per 500 ms), so the ratio shows the cost of the faults, not of the quota.
import { Client, user } from "../src/index.js";
import { runInChild } from "./support/child.js";
import { startBenchEmulator, type BenchEmulatorOptions } from "./support/emulator.js";
import { isMain, runScenarioScript } from "./support/main.js";
import { benchModel, requestStream } from "./support/requests.js";
import { formatCount, formatRatio, progress, type Check, type ScenarioReport } from "./support/table.js";

/** How much to measure. */
export interface FaultyAddOptions {
  /** Requests in the add. */
  requests: number;
  /** Requests per AddBatchRequests call. */
  requestsPerCall: number;
}

export const defaultFaultyAddOptions: Readonly<FaultyAddOptions> = Object.freeze({ requests: 1_000_000, requestsPerCall: 250 });

/** xAI's 100 add calls per 30 s, 60 times faster, on both sides. */
const scaledQuota = { addCallsPerWindow: 100, addWindowMs: 500 };
/** The library's default backoff (100 ms to 5 s) scaled alike; the retry budget stays the default. */
const scaledBackoff = { initialMs: 2, maxMs: 80, multiplier: 2 };
const faults = { seed: 6, unavailableRate: 0.3, ambiguousAddRate: 0.1 };

interface AddParams {
  readonly url: string;
  readonly n: number;
  readonly perCall: number;
}

/** What the client process reports. */
interface AddRun {
  readonly elapsedMs: number;
  readonly calls: number;
  readonly retries: number;
  readonly listCalls: number;
  readonly requestsAdded: number;
}

export const tasks = {
  library: async ({ url, n, perCall }: AddParams): Promise<AddRun> => {
    const client = new Client({ apiKey: "bench-key", baseUrl: url, limits: scaledQuota, retry: { transientBackoff: scaledBackoff } });
    const { batchId } = await client.batch.create("faulty");
    const stream = requestStream(n, (id, text) => client.chat.create(benchModel, { batchRequestId: id }).append(user(text)));
    const started = performance.now();
    const result = await client.batch.add(batchId, stream, { maxRequestsPerCall: perCall, concurrency: 8 });
    const elapsedMs = performance.now() - started;
    client.close();
    return { elapsedMs, calls: result.calls, retries: result.retries, listCalls: result.listCalls, requestsAdded: result.requestsAdded };
  },
};

interface Measured extends AddRun {
  readonly applied: number;
  readonly unavailable: number;
  readonly ambiguous: number;
  readonly serverListCalls: number;
}

async function measure(n: number, perCall: number, withFaults: boolean): Promise<Measured> {
  const options: BenchEmulatorOptions = {
    limits: { ...scaledQuota, createIntervalMs: 0 },
    processing: { requestsPerSecond: 0 },
    ...(withFaults ? { faults } : {}),
  };
  const server = await startBenchEmulator(options);
  try {
    const result = await runInChild<AddRun>(import.meta.url, "library", { url: server.url, n, perCall });
    const { counters } = await server.stats();
    return {
      ...result,
      applied: counters.requestsApplied,
      unavailable: counters.rejections.faultUnavailable,
      ambiguous: counters.rejections.faultAmbiguous,
      serverListCalls: counters.calls.ListBatchRequestMetadata ?? 0,
    };
  } finally {
    await server.stop();
  }
}

/** The fault-free add, then the faulty one, each with a fresh emulator process and client process. */
export async function run(options: Partial<FaultyAddOptions> = {}): Promise<ScenarioReport> {
  const o = { ...defaultFaultyAddOptions, ...options };
  const clean = await measure(o.requests, o.requestsPerCall, false);
  progress(`faulty add: fault-free ${formatCount(o.requests)} in ${(clean.elapsedMs / 1000).toFixed(1)} s`);
  const faulty = await measure(o.requests, o.requestsPerCall, true);
  progress(
    `faulty add: 30%/10% faults ${formatCount(o.requests)} in ${(faulty.elapsedMs / 1000).toFixed(1)} s, ${faulty.listCalls} listing pages`,
  );
  const pagesOfBatch = Math.ceil(o.requests / 1_000);
  const row = (name: string, r: Measured) => [
    name,
    formatCount(r.applied),
    (r.elapsedMs / 1000).toFixed(1),
    formatRatio(r.elapsedMs / clean.elapsedMs),
    formatCount(r.calls),
    formatCount(r.retries),
    `${formatCount(r.unavailable)} / ${formatCount(r.ambiguous)}`,
    formatCount(r.listCalls),
    formatCount(r.serverListCalls),
  ];
  const exactlyOnce = (r: Measured) => r.applied === o.requests && r.requestsAdded === o.requests;
  const listingBound = pagesOfBatch + 2 * faulty.ambiguous;
  const checks: Check[] = [
    {
      scenario: "6. faulty add",
      target: `${formatCount(o.requests)} requests exactly once through 30%/10% faults (server's count)`,
      measured: `${formatCount(faulty.applied)} applied`,
      met: exactlyOnce(faulty) && exactlyOnce(clean),
    },
    {
      scenario: "6. faulty add",
      target: `listing pages ≤ one pass over the batch + 2 per applied-then-dropped call (${formatCount(listingBound)})`,
      measured: formatCount(faulty.listCalls),
      met: faulty.listCalls <= listingBound,
    },
  ];
  return {
    tables: [
      {
        title: `6. Faulty add: ${formatCount(o.requests)} chat requests, ${o.requestsPerCall} per call, fault-free vs 30% UNAVAILABLE + 10% applied-then-dropped`,
        columns: [
          "emulator",
          "applied",
          "add time s",
          "vs fault-free",
          "calls",
          "retries",
          "faults (unavailable / applied-then-dropped)",
          "listing pages (client)",
          "ListBatchRequestMetadata calls (server)",
        ],
        rows: [row("fault-free", clean), row("30% / 10% faults", faulty)],
        notes: [
          `Quota ${scaledQuota.addCallsPerWindow} add calls per ${scaledQuota.addWindowMs} ms on both sides (xAI's 100 per 30 s, 60× faster); backoff ${scaledBackoff.initialMs}–${scaledBackoff.maxMs} ms (the default 100 ms–5 s, scaled alike); the default retry budget (10 tokens); concurrency 8; processing paused.`,
          "Applied is the emulator's own count of requests it stored. Listing pages are the ListBatchRequestMetadata calls the add asked for to check calls that came back ALREADY_EXISTS after an unknown outcome; the server's count includes their retried attempts.",
          `A full listing per check would read up to ${formatCount(pagesOfBatch)} pages each.`,
        ],
      },
    ],
    checks,
  };
}

if (isMain(import.meta.url)) await runScenarioScript(run, defaultFaultyAddOptions);
