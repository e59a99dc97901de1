// Scenario 3: how close add's call planning (encode each request once, size it, pack it) comes to the
// floor: one toBinary of all the same requests in one message. In process, no network.
import { create, toBinary } from "@bufbuild/protobuf";
import { runAdd, type AddSettings } from "../src/internal/add-pipeline.js";
import { defaultRetryOptions } from "../src/retry-options.js";
import { ChunkPlanner, envelopeSize } from "../src/internal/chunking.js";
import { RequestEncoder, type EncodedRequest } from "../src/internal/encoded-request.js";
import { defaultBatchModels } from "../src/batch-models.js";
import { toBatchRequest } from "../src/request-input.js";
import { AddBatchRequestsRequestSchema, BatchRequestSchema, MessageRole, type BatchRequest } from "../src/wire.js";

const batchModels = new Set(defaultBatchModels);
import { runInChild } from "./support/child.js";
import { collectGarbage } from "./support/gc.js";
import { isMain, runScenarioScript } from "./support/main.js";
import { benchModel, promptText, requestId } from "./support/requests.js";
import { spread } from "./support/stats.js";
import { formatCount, formatRatio, formatSpread, progress, type ScenarioReport } from "./support/table.js";

/** How much to measure. */
export interface EncodingOptions {
  /** Requests encoded per run. */
  requests: number;
  /** Measured rounds (after one warm-up round); odd rounds run the variants in reverse order. */
  rounds: number;
}

export const defaultEncodingOptions: Readonly<EncodingOptions> = Object.freeze({ requests: 50_000, rounds: 5 });

const batchId = "batch_00000000-0000-0000-0000-000000000000";
const maxAddBytes = 25_000_000;
const maxRequestsPerCall = 10_000;

const variantNames = [
  "floor: one `toBinary` of all requests in one AddBatchRequestsRequest",
  "add's planning: RequestEncoder + ChunkPlanner, ids given",
  "add's planning, automatic ids (sha256 of each request)",
  "`runAdd` with a no-op transport, array input, ids given",
  "`runAdd` with a no-op transport, async-iterable input, ids given",
] as const;

/** Run in a fresh process (runInChild): the CPU ms of every variant in every round, `times[variant][round]`. */
export const tasks = {
  measure: async (o: EncodingOptions): Promise<{ times: number[][] }> => {
    const withIds = Array.from({ length: o.requests }, (_, i) => chat(i, true));
    const withoutIds = Array.from({ length: o.requests }, (_, i) => chat(i, false));
    const all = create(AddBatchRequestsRequestSchema, { batchId, batchRequests: withIds });
    const runs: (() => Promise<number>)[] = [
      async () => toBinary(AddBatchRequestsRequestSchema, all).length,
      async () => plan(withIds),
      async () => plan(withoutIds),
      () => addWithoutNetwork(withIds),
      () => addWithoutNetwork(fromArray(withIds)),
    ];
    for (const work of runs) await work();
    const times = runs.map((): number[] => []);
    for (let round = 0; round < o.rounds; round++) {
      const order = runs.map((_, i) => i);
      for (const i of round % 2 === 0 ? order : order.reverse()) {
        collectGarbage();
        times[i]!.push(await cpuMs(runs[i]!));
      }
    }
    return { times };
  },
};

/** Runs the scenario in a fresh process: the CPU time of each way of encoding the same requests, and the ratio to the floor. */
export async function run(options: Partial<EncodingOptions> = {}): Promise<ScenarioReport> {
  const o = { ...defaultEncodingOptions, ...options };
  progress(`encoding: ${o.rounds} rounds of ${formatCount(o.requests)} requests in a child process`);
  const { times } = await runInChild<{ times: number[][] }>(import.meta.url, "measure", o);
  const floor = times[0]!;
  const ratio = (i: number) => spread(times[i]!.map((t, round) => t / floor[round]!));
  const planning = ratio(1);
  const pipeline = ratio(4);
  return {
    tables: [
      {
        title: `3. Encoding cost: CPU time for ${formatCount(o.requests)} chat requests (~300 bytes of text each)`,
        columns: ["what", "CPU ms", "µs per request", "vs floor"],
        rows: variantNames.map((name, i) => {
          const s = spread(times[i]!);
          const r = ratio(i);
          return [name, formatSpread(s, 1), ((s.median * 1000) / o.requests).toFixed(2), `${formatRatio(r.median)} (${formatRatio(r.min)}–${formatRatio(r.max)})`];
        }),
        notes: [
          `${o.rounds} interleaved rounds (odd rounds in reverse order) after one warm-up round, in a fresh process, a full GC before each measurement; CPU time (user + system, process.cpuUsage) median (min–max); ratios taken within each round.`,
          "Inputs are BatchRequest messages built beforehand (not timed). Planning = what `add` does per request: validate, encode once, (derive an id), size it and pack it into calls of ≤ 25 MB / 10,000 requests.",
          "`runAdd` rows add the add pipeline's own iteration (async generators, one await per request) around the same work; the network is replaced by a transport that returns at once.",
        ],
      },
    ],
    checks: [
      { scenario: "3. encoding", target: "add's planning ≤ 1.2× one toBinary", measured: formatRatio(planning.median), met: planning.median <= 1.2 },
      { scenario: "3. encoding", target: "(info) whole add pipeline, no network, streamed input, ≤ 1.2×", measured: formatRatio(pipeline.median), met: pipeline.median <= 1.2 },
    ],
  };
}

function chat(i: number, withId: boolean): BatchRequest {
  return create(BatchRequestSchema, {
    batchRequestId: withId ? requestId(i) : undefined,
    request: {
      case: "completionRequest",
      value: { model: benchModel, messages: [{ role: MessageRole.ROLE_USER, content: [{ content: { case: "text", value: promptText(i) } }] }] },
    },
  });
}

/** add-pipeline.ts encodes requests in groups of this many. */
const encodingGroup = 256;

/** The per-request work of add-pipeline.ts's plannedCalls, without the async iteration around it. */
function plan(requests: readonly BatchRequest[]): number {
  const encoder = new RequestEncoder((input, index) => toBatchRequest(input, index, batchModels), true);
  const planner = new ChunkPlanner({ maxBytes: maxAddBytes, maxRequests: maxRequestsPerCall }, envelopeSize(batchId));
  let total = 0;
  let call: Uint8Array[] = [];
  const all: EncodedRequest[] = [];
  for (let at = 0; at < requests.length; at += encodingGroup) all.push(...encoder.encodeMany(requests.slice(at, at + encodingGroup), at));
  for (const [i, encoded] of all.entries()) {
    if (!planner.fitsAlone(encoded.bytes.length)) throw new Error(`request ${i} too large`);
    if (!planner.fits(encoded.bytes.length)) {
      total += planner.reset();
      call = [];
    }
    planner.add(encoded.bytes.length);
    call.push(encoded.bytes);
  }
  return total + planner.reset() + call.length;
}

async function addWithoutNetwork(input: readonly BatchRequest[] | AsyncIterable<BatchRequest>): Promise<number> {
  const settings: AddSettings = {
    maxAddBytes,
    maxRequestsPerCall,
    concurrency: 4,
    autoIds: true,
    oversize: "error",
    toRequest: (input, index) => toBatchRequest(input, index, batchModels),
    onInvalid: undefined,
    totalTimeoutMs: undefined,
    notFoundGraceMs: 0,
    signal: undefined,
    onProgress: undefined,
    onSkip: undefined,
    roundBackoff: defaultRetryOptions.transientBackoff,
    random: Math.random,
  };
  const empty = { send: async () => {}, countRequests: async () => 0, listPage: async () => ({ ids: [], nextToken: undefined }) };
  const result = await runAdd(empty, batchId, input, settings);
  return result.bytesSent;
}

async function* fromArray<T>(items: readonly T[]): AsyncGenerator<T> {
  yield* items;
}

async function cpuMs(work: () => Promise<number>): Promise<number> {
  const before = process.cpuUsage();
  await work();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

if (isMain(import.meta.url)) await runScenarioScript(run, defaultEncodingOptions);
