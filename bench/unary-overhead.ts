// Scenario 1: what the facade adds to one unary call. client.batch.get vs the bare Connect client vs a
// grpc-js + proto-loader client, on one emulator process, sequential calls, interleaved rounds.
import { create } from "@bufbuild/protobuf";
import { createClient, type Interceptor, type Transport, type UnaryResponse } from "@connectrpc/connect";
import { randomUUID } from "node:crypto";
import { BatchMgmt, BatchSchema } from "../gen/xai/api/v1/batch_pb.js";
import { Client } from "../src/index.js";
import { openConnection, defaultConnectionOptions } from "../src/internal/transport/connection.js";
import { LIBRARY_NAME } from "../src/core/internal/library-name.js";
import { LIBRARY_VERSION } from "../src/core/version.js";
import { createBareConnect } from "./support/connect-client.js";
import { startBenchEmulator } from "./support/emulator.js";
import { createGrpcJsClient } from "./support/grpc-js-client.js";
import { isMain, runScenarioScript } from "./support/main.js";
import { percentile, spread, spreadOf } from "./support/stats.js";
import { formatRatio, formatSpread, progress, type ScenarioReport } from "./support/table.js";

/** How much to measure. */
export interface UnaryOptions {
  /** Sequential calls per variant per round. */
  callsPerRound: number;
  /** Rounds: spread is reported over rounds. */
  rounds: number;
  /** Calls per variant before the first round, for connection set-up and JIT. */
  warmupCalls: number;
}

export const defaultUnaryOptions: Readonly<UnaryOptions> = Object.freeze({ callsPerRound: 500, rounds: 10, warmupCalls: 500 });

interface Variant {
  readonly name: string;
  readonly call: () => Promise<unknown>;
}

interface RoundResult {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly callsPerSecond: number;
}

const facadeName = "library `client.batch.get`";
const bareName = "bare Connect `getBatch`";
const sameWireName = "bare Connect `getBatch` + the library's metadata and deadline (diagnostic)";

/** The metadata the library sends on a call: key, user-agent, SDK name and a fresh request id. */
function libraryHeaders(): Headers {
  return new Headers({
    authorization: "Bearer bench-key",
    "user-agent": `${LIBRARY_NAME}/${LIBRARY_VERSION} connect-es node/${process.versions.node}`,
    "x-xai-sdk": `${LIBRARY_NAME}/${LIBRARY_VERSION}`,
    "x-request-id": randomUUID(),
  });
}

/**
 * The facade's own CPU per call, without a network: `client.batch.get` and the bare client over one
 * in-process transport that answers at once, so only what each adds around the transport is timed.
 */
async function facadeCpuPerCallUs(calls: number): Promise<{ library: number; bare: number }> {
  const reply = create(BatchSchema, { batchId: "b1", name: "n" });
  const transport: Transport = {
    unary: async (method) =>
      ({ stream: false, service: method.parent, method, header: new Headers(), trailer: new Headers(), message: reply }) as UnaryResponse<
        never,
        never
      >,
    stream: () => Promise.reject(new Error("not used")),
  };
  const library = new Client({ apiKey: "bench-key", transport });
  const bare = createClient(BatchMgmt, transport);
  const time = async (call: () => Promise<unknown>) => {
    const started = performance.now();
    for (let i = 0; i < calls; i++) await call();
    return ((performance.now() - started) / calls) * 1000;
  };
  const runs = { library: [] as number[], bare: [] as number[] };
  for (let round = 0; round < 5; round++) {
    runs.library.push(await time(() => library.batch.get("b1")));
    runs.bare.push(await time(() => bare.getBatch({ batchId: "b1" }, { headers: libraryHeaders(), timeoutMs: 30_000 })));
  }
  library.close();
  return { library: Math.min(...runs.library), bare: Math.min(...runs.bare) };
}

/** Microseconds (p50) of one call's parts: until the transport's interceptors see it, in them, and after. */
interface Phases {
  readonly before: number;
  readonly inside: number;
  readonly after: number;
}

/** Times each call's parts with an outermost interceptor; one call at a time, so its marks are that call's. */
class PhaseTimer {
  #entered = 0;
  #left = 0;
  readonly #parts = { before: [] as number[], inside: [] as number[], after: [] as number[] };
  readonly interceptor: Interceptor = (next) => async (req) => {
    this.#entered = performance.now();
    try {
      return await next(req);
    } finally {
      this.#left = performance.now();
    }
  };

  async time(call: () => Promise<unknown>): Promise<void> {
    const started = performance.now();
    await call();
    const ended = performance.now();
    this.#parts.before.push(this.#entered - started);
    this.#parts.inside.push(this.#left - this.#entered);
    this.#parts.after.push(ended - this.#left);
  }

  p50Us(): Phases {
    const us = (ms: number[]) => percentile(ms, 50) * 1000;
    return { before: us(this.#parts.before), inside: us(this.#parts.inside), after: us(this.#parts.after) };
  }
}

/**
 * Where the facade's time goes on the wire, not in a hot loop: `client.batch.get` against bare Connect over
 * the library's own connection sending the same metadata and deadline, each with a timing interceptor,
 * interleaved call by call.
 */
async function phasesOnTheWire(url: string, batchId: string, calls: number): Promise<{ library: Phases; bare: Phases }> {
  const timers = { library: new PhaseTimer(), bare: new PhaseTimer() };
  const library = new Client({ apiKey: "bench-key", baseUrl: url, interceptors: [timers.library.interceptor] });
  const own = openConnection({ ...defaultConnectionOptions, baseUrl: url }, [timers.bare.interceptor]);
  const bare = createClient(BatchMgmt, own.transport);
  try {
    for (let i = 0; i < calls; i++) {
      const libraryFirst = i % 2 === 0;
      if (libraryFirst) await timers.library.time(() => library.batch.get(batchId));
      await timers.bare.time(() => bare.getBatch({ batchId }, { headers: libraryHeaders(), timeoutMs: 30_000 }));
      if (!libraryFirst) await timers.library.time(() => library.batch.get(batchId));
    }
  } finally {
    library.close();
    own.close();
  }
  return { library: timers.library.p50Us(), bare: timers.bare.p50Us() };
}

/** Runs the scenario and returns its table and the facade-vs-Connect check. */
export async function run(options: Partial<UnaryOptions> = {}): Promise<ScenarioReport> {
  const o = { ...defaultUnaryOptions, ...options };
  const server = await startBenchEmulator({ limits: { createIntervalMs: 0 }, processing: { requestsPerSecond: 0 } });
  const library = new Client({ apiKey: "bench-key", baseUrl: server.url });
  const bare = createBareConnect(server.url);
  const grpcJs = createGrpcJsClient(server.url);
  const own = openConnection({ ...defaultConnectionOptions, baseUrl: server.url });
  try {
    const { batchId } = await library.batch.create("unary");
    const ownRpc = createClient(BatchMgmt, own.transport);
    const variants: Variant[] = [
      { name: facadeName, call: () => library.batch.get(batchId) },
      { name: bareName, call: () => bare.rpc.getBatch({ batchId }, { headers: bare.headers }) },
      // The facade always sends a deadline (30 s for reads); this isolates what a deadline costs in Connect.
      {
        name: "bare Connect `getBatch` + `timeoutMs` (diagnostic)",
        call: () => bare.rpc.getBatch({ batchId }, { headers: bare.headers, timeoutMs: 30_000 }),
      },
      // What the facade puts on the wire (its three headers, a fresh request id, the read deadline),
      // sent by bare Connect: the facade's own cost is its distance from this row.
      { name: sameWireName, call: () => bare.rpc.getBatch({ batchId }, { headers: libraryHeaders(), timeoutMs: 30_000 }) },
      {
        name: "bare Connect over the library's connection + its metadata and deadline (diagnostic)",
        call: () => ownRpc.getBatch({ batchId }, { headers: libraryHeaders(), timeoutMs: 30_000 }),
      },
      { name: "grpc-js + proto-loader `GetBatch`", call: () => grpcJs.getBatch(batchId) },
    ];
    await measureRound(variants, o.warmupCalls);
    const results = new Map<string, RoundResult[]>(variants.map((v) => [v.name, []]));
    for (let round = 0; round < o.rounds; round++) {
      const measured = await measureRound(variants, o.callsPerRound);
      for (const [i, v] of variants.entries()) results.get(v.name)!.push(measured[i]!);
      progress(`unary: round ${round + 1}/${o.rounds} done`);
    }
    const phases = await phasesOnTheWire(server.url, batchId, o.callsPerRound * o.rounds);
    return report(variants, results, o, await facadeCpuPerCallUs(o.callsPerRound * 20), phases);
  } finally {
    library.close();
    grpcJs.close();
    own.close();
    await server.stop();
  }
}

/**
 * `calls` sequential calls of every variant, interleaved call by call (the order rotating each time), so a
 * neighbour's load on this shared machine hits every variant alike. Calls/s is 1 / mean latency.
 */
async function measureRound(variants: readonly Variant[], calls: number): Promise<RoundResult[]> {
  const latencies = variants.map(() => new Float64Array(calls));
  for (let i = 0; i < calls; i++) {
    for (let k = 0; k < variants.length; k++) {
      const v = (i + k) % variants.length;
      const started = performance.now();
      await variants[v]!.call();
      latencies[v]![i] = performance.now() - started;
    }
  }
  return latencies.map((ms) => {
    const all = [...ms];
    const meanMs = all.reduce((a, b) => a + b, 0) / all.length;
    return { p50Ms: percentile(all, 50), p99Ms: percentile(all, 99), callsPerSecond: 1000 / meanMs };
  });
}

function report(
  variants: readonly Variant[],
  results: Map<string, RoundResult[]>,
  o: UnaryOptions,
  cpu: { library: number; bare: number },
  phases: { library: Phases; bare: Phases },
): ScenarioReport {
  const bare = results.get(bareName)!;
  // Ratios are taken round by round (runs next to each other in time), then summarised.
  const ratios = (runs: RoundResult[], field: (r: RoundResult) => number, inverse: boolean) =>
    spread(runs.map((r, i) => (inverse ? field(bare[i]!) / field(r) : field(r) / field(bare[i]!))));
  const rows = variants.map((v) => {
    const runs = results.get(v.name)!;
    const timeRatio = ratios(runs, (r) => r.callsPerSecond, true);
    return [
      v.name,
      formatSpread(
        spreadOf(runs, (r) => r.p50Ms),
        3,
      ),
      formatSpread(
        spreadOf(runs, (r) => r.p99Ms),
        3,
      ),
      formatSpread(
        spreadOf(runs, (r) => r.callsPerSecond),
        0,
      ),
      formatRatio(ratios(runs, (r) => r.p50Ms, false).median),
      `${formatRatio(timeRatio.median)} (${formatRatio(timeRatio.min)}–${formatRatio(timeRatio.max)})`,
    ];
  });
  const facade = results.get(facadeName)!;
  const facadeTime = ratios(facade, (r) => r.callsPerSecond, true).median;
  const facadeP50 = ratios(facade, (r) => r.p50Ms, false).median;
  const sameWire = results.get(sameWireName)!;
  const vsSameWire = spread(facade.map((r, i) => sameWire[i]!.callsPerSecond / r.callsPerSecond)).median;
  const bareMeanMs = 1000 / spreadOf(bare, (r) => r.callsPerSecond).median;
  return {
    tables: [
      {
        title: "1. Unary overhead: GetBatch, sequential calls on loopback",
        columns: ["client", "p50 ms", "p99 ms", "calls/s", "p50 vs bare Connect", "time per call vs bare Connect"],
        rows,
        notes: [
          `${o.rounds} rounds of ${o.callsPerRound} sequential calls per client, interleaved call by call in rotating order, after ${o.warmupCalls} warm-up calls each; median (min–max) over rounds.`,
          "Ratios are computed within each round against bare Connect, then the median is taken; calls/s = 1 / mean latency (one call at a time).",
          "Emulator in its own process; all clients in one process, one HTTP/2 connection each.",
          `Facade vs bare Connect sending the same metadata and deadline: ${formatRatio(vsSameWire)} (median over rounds).`,
          `Facade's own CPU per call, in process over a transport that answers at once: ${cpu.library.toFixed(1)} µs against ${cpu.bare.toFixed(1)} µs for bare Connect (best of 5), ` +
            `i.e. ${(((cpu.library - cpu.bare) / 1000 / bareMeanMs) * 100).toFixed(1)}% of a bare loopback call here.`,
          `Timed inside ${o.callsPerRound * o.rounds} interleaved calls each with an outermost interceptor, p50 µs, library against bare Connect over the library's connection with its metadata and deadline: ` +
            `before the interceptor ${phases.library.before.toFixed(1)} against ${phases.bare.before.toFixed(1)}, inside ${phases.library.inside.toFixed(1)} against ${phases.bare.inside.toFixed(1)}, ` +
            `after ${phases.library.after.toFixed(1)} against ${phases.bare.after.toFixed(1)}.`,
        ],
      },
    ],
    checks: [
      {
        scenario: "1. unary",
        target: "facade ≤ 1.05× bare Connect (time per call)",
        measured: `${formatRatio(facadeTime)} (p50 ${formatRatio(facadeP50)})`,
        met: facadeTime <= 1.05,
      },
    ],
  };
}

if (isMain(import.meta.url)) await runScenarioScript(run, defaultUnaryOptions);
