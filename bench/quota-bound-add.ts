// Scenario 8: quota-bound bulk add at real sizes. One default `add` whose calls are full 25 MB calls,
// against the add quota scaled down to a few calls per window: the time it takes vs the physical minimum
// the quota allows (the windows it must wait, plus the transfer of the last wave).
import { setTimeout as sleep } from "node:timers/promises";
import { Client, MemoryQuotaLimiter, user } from "../src/index.js";
import { startBenchEmulator } from "./support/emulator.js";
import { isMain, runScenarioScript } from "./support/main.js";
import { RecordingLimiter, type CallTimes } from "./support/recording-limiter.js";
import { benchModel, requestStream } from "./support/requests.js";
import { spreadOf } from "./support/stats.js";
import { formatCount, formatRatio, formatSpread, progress, type ScenarioReport } from "./support/table.js";

/** How much to measure. */
export interface QuotaBoundOptions {
  /** Encoded megabytes (1e6 bytes) to add in each run. */
  megabytes: number;
  /** User text per request, bytes: a real prompt (a document to summarise), not a one-liner. */
  textBytes: number;
  /** The scaled-down quota: calls per window. */
  callsPerWindow: number;
  windowMs: number;
  /** The per-call size limit on both sides; xAI's 25 MB in the real run. */
  maxAddBytes: number;
  rounds: number;
}

/** 11 calls of 25 MB under 5 per 1 s (xAI's 100 per 30 s, scaled): two windows' wait and a short last wave. */
export const defaultQuotaBoundOptions: Readonly<QuotaBoundOptions> = Object.freeze({
  megabytes: 270,
  textBytes: 4_000,
  callsPerWindow: 5,
  windowMs: 1_000,
  maxAddBytes: 25_000_000,
  rounds: 2,
});

interface Measured {
  readonly elapsedMs: number;
  readonly minimumMs: number;
  readonly calls: number;
  readonly minimumCalls: number;
  readonly bytesSent: number;
  readonly rejections: number;
  readonly quotaWaitMs: number;
  readonly cpuMs: number;
  /** Time some call's request was being written (sent to written, overlaps counted once). */
  readonly writingMs: number;
  readonly serverCpuMs: number;
}

/** Runs the library's default add `rounds` times against one emulator enforcing the scaled quota. */
export async function run(options: Partial<QuotaBoundOptions> = {}): Promise<ScenarioReport> {
  const o = { ...defaultQuotaBoundOptions, ...options };
  const limits = { addCallsPerWindow: o.callsPerWindow, addWindowMs: o.windowMs, maxAddBytes: o.maxAddBytes };
  const server = await startBenchEmulator({ limits: { ...limits, createIntervalMs: 0 }, processing: { requestsPerSecond: 0 } });
  const recorder = new RecordingLimiter(
    new MemoryQuotaLimiter({ create: { limit: 1, windowMs: 1 }, add: { limit: o.callsPerWindow, windowMs: o.windowMs } }),
  );
  const client = new Client({ apiKey: "bench-key", baseUrl: server.url, limits, quotaLimiter: recorder });
  // Each request encodes to its text plus about 40 bytes of id, model and framing.
  const n = Math.max(1, Math.round((o.megabytes * 1e6) / (o.textBytes + 40)));
  try {
    const runs: Measured[] = [];
    for (let round = 0; round < o.rounds; round++) {
      const { batchId } = await client.batch.create("quota-bound");
      // Start with an empty window on the server, as if the team had made no add call for a while.
      await sleep(o.windowMs + 50);
      const idle = await server.stats();
      const before = idle.counters.rejections.rate;
      const times: CallTimes = { sent: [], written: [], done: [] };
      recorder.times = times;
      const stream = requestStream(
        n,
        (id, text) => client.chat.create(benchModel, { batchRequestId: `${batchId}-${id}` }).append(user(text)),
        o.textBytes,
      );
      const cpu = process.cpuUsage();
      const started = performance.now();
      const summary = await client.batch.add(batchId, stream);
      const ended = performance.now();
      const used = process.cpuUsage(cpu);
      const after = await server.stats();
      const rejections = after.counters.rejections.rate - before;
      const measured = {
        ...minimum(times, o),
        elapsedMs: ended - started,
        calls: summary.calls,
        minimumCalls: Math.ceil(summary.bytesSent / o.maxAddBytes),
        bytesSent: summary.bytesSent,
        rejections,
        quotaWaitMs: summary.quotaWaitMs,
        cpuMs: (used.user + used.system) / 1000,
        writingMs: writingMs(times),
        serverCpuMs: after.usage.cpuMs - idle.usage.cpuMs,
      };
      runs.push(measured);
      progress(
        `quota-bound: ${(measured.bytesSent / 1e6).toFixed(0)} MB in ${measured.calls} calls, ${measured.elapsedMs.toFixed(0)} ms (minimum ${measured.minimumMs.toFixed(0)}), ${rejections} rejections`,
      );
    }
    return report(runs, o, n);
  } finally {
    client.close();
    await server.stop();
  }
}

/**
 * The physical minimum: calls k·limit+1 … may start one window after calls (k−1)·limit+1 …, so an add of
 * C calls waits ceil(C / limit) − 1 windows; the last wave then takes its transfer time (first send of the
 * wave to the last completion, measured in the same run). Everything else (encoding before the first send,
 * sends later than the quota allowed) is the client's own cost.
 */
function minimum(times: CallTimes, o: QuotaBoundOptions): { minimumMs: number } {
  const sent = [...times.sent].sort((a, b) => a - b);
  const windows = Math.ceil(sent.length / o.callsPerWindow) - 1;
  const lastWaveMs = Math.max(...times.done) - sent[windows * o.callsPerWindow]!;
  return { minimumMs: windows * o.windowMs + lastWaveMs };
}

/** How long the connection had some call's request to write: the union of each call's send-to-written span. */
function writingMs(times: CallTimes): number {
  const spans = times.sent.map((sent, i) => [sent, times.written?.[i] ?? sent] as const).sort((a, b) => a[0] - b[0]);
  let total = 0;
  let until = -Infinity;
  for (const [from, to] of spans) {
    if (to > until) total += to - Math.max(from, until);
    until = Math.max(until, to);
  }
  return total;
}

function report(runs: readonly Measured[], o: QuotaBoundOptions, n: number): ScenarioReport {
  const ratio = spreadOf(runs, (r) => r.elapsedMs / r.minimumMs);
  const callRatio = spreadOf(runs, (r) => r.calls / r.minimumCalls);
  const rejections = spreadOf(runs, (r) => r.rejections).max;
  const windows = Math.ceil(spreadOf(runs, (r) => r.calls).median / o.callsPerWindow) - 1;
  return {
    tables: [
      {
        title: `8. Quota-bound bulk add at real sizes: ${formatCount(n)} requests (~${formatCount(o.textBytes)} bytes of text each) under ${o.callsPerWindow} add calls per ${formatCount(o.windowMs)} ms`,
        columns: [
          "client",
          "MB sent",
          "calls",
          "minimum calls",
          "calls vs minimum",
          "wall ms",
          "minimum ms",
          "wall vs minimum",
          "quota wait ms",
          "writing ms",
          "server CPU ms",
          "client CPU ms per MB",
          "rate rejections (server)",
        ],
        rows: [
          [
            "library `client.batch.add` with default options",
            formatSpread(
              spreadOf(runs, (r) => r.bytesSent / 1e6),
              1,
            ),
            formatSpread(
              spreadOf(runs, (r) => r.calls),
              0,
            ),
            formatSpread(
              spreadOf(runs, (r) => r.minimumCalls),
              0,
            ),
            formatRatio(callRatio.max),
            formatSpread(
              spreadOf(runs, (r) => r.elapsedMs),
              0,
            ),
            formatSpread(
              spreadOf(runs, (r) => r.minimumMs),
              0,
            ),
            `${formatRatio(ratio.median)} (${formatRatio(ratio.min)}–${formatRatio(ratio.max)})`,
            formatSpread(
              spreadOf(runs, (r) => r.quotaWaitMs),
              0,
            ),
            formatSpread(
              spreadOf(runs, (r) => r.writingMs),
              0,
            ),
            formatSpread(
              spreadOf(runs, (r) => r.serverCpuMs),
              0,
            ),
            formatSpread(
              spreadOf(runs, (r) => r.cpuMs / (r.bytesSent / 1e6)),
              1,
            ),
            formatSpread(
              spreadOf(runs, (r) => r.rejections),
              0,
            ),
          ],
        ],
        notes: [
          `${o.rounds} runs, median (min–max); one emulator process enforcing ${o.callsPerWindow} AddBatchRequests calls per rolling ${formatCount(o.windowMs)} ms and ${formatCount(o.maxAddBytes)} bytes per call; the library is told the same limits (its \`limits\`), everything else default (no request-count cap, concurrency 4; every request carries its id).`,
          "Minimum calls = ceil(bytes sent / maxAddBytes). Calls vs minimum: the worst run.",
          `Minimum ms = ${windows} windows (${formatCount(windows * o.windowMs)} ms) + the last wave's transfer (its first send to the last completion), measured in the same run. Wall = the whole \`add\`, from the call to its summary: encoding before the first send is the client's cost, not the quota's.`,
          "Writing ms: how long some call's request was being written (each call from its send to its last byte handed to the socket, overlaps once): when it is close to the wall time, the server's intake bounds the add, not the quota. Server CPU ms: the emulator process over the add.",
          "Input: an async generator building each chat when pulled (in the time and CPU). Client CPU: process.cpuUsage of the client process over the add. Each run starts with an empty window.",
        ],
      },
    ],
    checks: [
      {
        scenario: "8. quota-bound",
        target: "calls per add ≤ 1.05× ceil(bytes / maxAddBytes), default options",
        measured: formatRatio(callRatio.max),
        met: callRatio.max <= 1.05,
      },
      { scenario: "8. quota-bound", target: "library: 0 rate rejections", measured: formatCount(rejections), met: rejections === 0 },
      {
        scenario: "8. quota-bound",
        target: "library: wall ≤ 1.1× the physical minimum",
        measured: formatRatio(ratio.median),
        met: ratio.median <= 1.1,
      },
    ],
  };
}

if (isMain(import.meta.url)) await runScenarioScript(run, defaultQuotaBoundOptions);
