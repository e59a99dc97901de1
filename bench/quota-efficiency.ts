// Scenario 5: 1,000 add calls under the add quota scaled down to 100 calls per 300 ms. The library's
// pacing vs a naive loop that sends and, on RESOURCE_EXHAUSTED, sleeps the RetryInfo delay and retries.
import { setTimeout as sleep } from "node:timers/promises";
import { Client, MemoryQuotaLimiter, user } from "../src/index.js";
import { startBenchEmulator, type BenchEmulator } from "./support/emulator.js";
import { createGrpcJsClient, plainChatRequest, retryInfoDelayMs, type GrpcJsBatchClient } from "./support/grpc-js-client.js";
import { isMain, runScenarioScript } from "./support/main.js";
import { RecordingLimiter, type CallTimes } from "./support/recording-limiter.js";
import { benchModel, promptText, requestId } from "./support/requests.js";
import { spread, spreadOf } from "./support/stats.js";
import { formatCount, formatRatio, formatSpread, progress, type ScenarioReport } from "./support/table.js";

/** How much to measure. */
export interface QuotaOptions {
  /** AddBatchRequests calls per run (one request each). */
  calls: number;
  /** The scaled-down quota: calls per window. */
  callsPerWindow: number;
  windowMs: number;
  /** Runs per variant; odd rounds run the variants in reverse order. */
  rounds: number;
}

export const defaultQuotaOptions: Readonly<QuotaOptions> = Object.freeze({ calls: 1_000, callsPerWindow: 100, windowMs: 300, rounds: 3 });

interface Variant {
  readonly name: string;
  /** Makes `calls` add calls of one request each into `batchId`, recording their times; returns the retries it saw. */
  readonly run: (batchId: string, times: CallTimes, calls: number) => Promise<number>;
}

interface Measured {
  readonly elapsedMs: number;
  readonly minimumMs: number;
  readonly rejections: number;
  readonly retries: number;
}

/** Runs every variant `rounds` times against one emulator enforcing the scaled quota. */
export async function run(options: Partial<QuotaOptions> = {}): Promise<ScenarioReport> {
  const o = { ...defaultQuotaOptions, ...options };
  const limits = { addCallsPerWindow: o.callsPerWindow, addWindowMs: o.windowMs };
  const server = await startBenchEmulator({ limits: { ...limits, createIntervalMs: 0 }, processing: { requestsPerSecond: 0 } });
  const recorder = new RecordingLimiter(
    new MemoryQuotaLimiter({ create: { limit: 1, windowMs: 1 }, add: { limit: o.callsPerWindow, windowMs: o.windowMs } }),
  );
  let libraryRetries = 0;
  const library = new Client({
    apiKey: "bench-key",
    baseUrl: server.url,
    limits,
    quotaLimiter: recorder,
    retry: { onRetry: () => libraryRetries++ },
  });
  const grpcJs = createGrpcJsClient(server.url);
  const requests = (batch: string, calls: number) =>
    Array.from({ length: calls }, (_, i) => ({ id: `${batch}-${requestId(i)}`, text: promptText(i, 50) }));
  const variants: Variant[] = [
    {
      name: "library `client.batch.add` (maxRequestsPerCall 1, concurrency 4)",
      run: async (batchId, times, calls) => {
        const before = libraryRetries;
        recorder.times = times;
        const chats = requests(batchId, calls).map((r) => library.chat.create(benchModel, { batchRequestId: r.id }).append(user(r.text)));
        await library.batch.add(batchId, chats, { maxRequestsPerCall: 1 });
        return libraryRetries - before;
      },
    },
    {
      name: "naive grpc-js loop, 1 call at a time",
      run: (batchId, times, calls) => naiveLoop(grpcJs, batchId, requests(batchId, calls), 1, times),
    },
    {
      name: "naive grpc-js loop, 4 workers",
      run: (batchId, times, calls) => naiveLoop(grpcJs, batchId, requests(batchId, calls), 4, times),
    },
  ];
  try {
    // Connection set-up and JIT on both sides are not what pacing costs.
    for (const v of variants)
      await v.run((await library.batch.create("warm-up")).batchId, { sent: [], done: [] }, Math.min(o.callsPerWindow, o.calls));
    const runs = new Map<string, Measured[]>(variants.map((v) => [v.name, []]));
    for (let round = 0; round < o.rounds; round++) {
      for (const v of round % 2 === 0 ? variants : [...variants].reverse()) {
        const measured = await measure(server, library, v, o);
        runs.get(v.name)!.push(measured);
        progress(
          `quota: ${v.name}: ${measured.elapsedMs.toFixed(0)} ms (minimum ${measured.minimumMs.toFixed(0)}), ${measured.rejections} rejections`,
        );
      }
    }
    return report(variants, runs, o);
  } finally {
    library.close();
    grpcJs.close();
    await server.stop();
  }
}

async function measure(server: BenchEmulator, library: Client, variant: Variant, o: QuotaOptions): Promise<Measured> {
  const { batchId } = await library.batch.create("quota");
  // Start with an empty window on the server, as if the team had made no add call for a while.
  await sleep(o.windowMs + 50);
  const before = (await server.stats()).counters.rejections.rate;
  const times: CallTimes = { sent: [], done: [] };
  const retries = await variant.run(batchId, times, o.calls);
  const rejections = (await server.stats()).counters.rejections.rate - before;
  if (times.sent.length !== o.calls) throw new Error(`${variant.name}: ${times.sent.length} calls recorded, expected ${o.calls}`);
  const sent = [...times.sent].sort((a, b) => a - b);
  const lastDone = Math.max(...times.done);
  // Calls k·limit+1 … may start one window after calls (k−1)·limit+1 …; after the last full window the
  // last wave takes what it takes. Anything beyond that is time lost to pacing (or to waiting after rejections).
  const windows = Math.ceil(o.calls / o.callsPerWindow) - 1;
  const lastWaveMs = lastDone - sent[windows * o.callsPerWindow]!;
  return { elapsedMs: lastDone - sent[0]!, minimumMs: windows * o.windowMs + lastWaveMs, rejections, retries };
}

/** Sends each request in its own call; on RESOURCE_EXHAUSTED sleeps the RetryInfo delay and tries again. */
async function naiveLoop(
  client: GrpcJsBatchClient,
  batchId: string,
  requests: { id: string; text: string }[],
  workers: number,
  times: CallTimes,
): Promise<number> {
  let next = 0;
  let retries = 0;
  const worker = async () => {
    for (let i = next++; i < requests.length; i = next++) {
      const request = plainChatRequest(requests[i]!.id, benchModel, requests[i]!.text);
      for (;;) {
        const sent = performance.now();
        try {
          await client.addBatchRequests(batchId, [request]);
          times.sent.push(sent);
          times.done.push(performance.now());
          break;
        } catch (error) {
          const delayMs = retryInfoDelayMs(error);
          if (delayMs === undefined) throw error;
          retries++;
          await sleep(delayMs);
        }
      }
    }
  };
  await Promise.all(Array.from({ length: workers }, worker));
  return retries;
}

function report(variants: readonly Variant[], runs: Map<string, Measured[]>, o: QuotaOptions): ScenarioReport {
  const library = runs.get(variants[0]!.name)!;
  const ratio = (r: Measured) => r.elapsedMs / r.minimumMs;
  const libraryRatio = spreadOf(library, ratio);
  const libraryRejections = spreadOf(library, (r) => r.rejections).max;
  const windows = Math.ceil(o.calls / o.callsPerWindow) - 1;
  return {
    tables: [
      {
        title: `5. Quota efficiency: ${formatCount(o.calls)} add calls under ${o.callsPerWindow} calls per ${o.windowMs} ms`,
        columns: ["client", "wall ms", "minimum ms", "wall vs minimum", "rate rejections (server)", "retries (client)"],
        rows: variants.map((v) => {
          const rs = runs.get(v.name)!;
          const r = spread(rs.map(ratio));
          return [
            v.name,
            formatSpread(
              spreadOf(rs, (m) => m.elapsedMs),
              0,
            ),
            formatSpread(
              spreadOf(rs, (m) => m.minimumMs),
              0,
            ),
            `${formatRatio(r.median)} (${formatRatio(r.min)}–${formatRatio(r.max)})`,
            formatSpread(
              spreadOf(rs, (m) => m.rejections),
              0,
            ),
            formatSpread(
              spreadOf(rs, (m) => m.retries),
              0,
            ),
          ];
        }),
        notes: [
          `${o.rounds} runs per variant, median (min–max), one emulator process enforcing ${o.callsPerWindow} AddBatchRequests calls per rolling ${o.windowMs} ms (xAI's 100 per 30 s, scaled 100× down); one request per call.`,
          `Minimum = ${windows} windows (${windows * o.windowMs} ms) + the last wave's own time (first send of call ${windows * o.callsPerWindow + 1} to the last completion), measured in the same run. Wall = first send to last completion.`,
          "Rejections are counted by the emulator (RESOURCE_EXHAUSTED with RetryInfo), read over IPC; retries are what each client saw. Each run starts with an empty window (a window's wait first).",
        ],
      },
    ],
    checks: [
      {
        scenario: "5. quota",
        target: "library: 0 rate rejections",
        measured: formatCount(libraryRejections),
        met: libraryRejections === 0,
      },
      {
        scenario: "5. quota",
        target: "library: wall ≤ 1.05× minimum",
        measured: formatRatio(libraryRatio.median),
        met: libraryRatio.median <= 1.05,
      },
    ],
  };
}

if (isMain(import.meta.url)) await runScenarioScript(run, defaultQuotaOptions);
