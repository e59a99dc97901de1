// Scenario 3: how close add's call planning (encode each request once, size it, pack it) comes to the
// floor: one toBinary of all the same requests in one message. In process, no network.
import { create, toBinary } from "@bufbuild/protobuf";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CommandContext } from "../src/cli/command.js";
import { firstRequestOrFail, openRequestSource } from "../src/cli/request-source.js";
import { runAdd, type AddSettings } from "../src/internal/add/run-add.js";
import { defaultRetryOptions } from "../src/internal/call/retry.js";
import { ChunkPlanner, envelopeSize } from "../src/internal/add/chunking.js";
import { RequestEncoder, type EncodedRequest } from "../src/internal/wire/encoded-request.js";
import { ChatEncoder } from "../src/internal/wire/chat-encoder.js";
import { defaultBatchModels } from "../src/core/batch-models.js";
import { builtRequest } from "../src/requests/internal/built-request.js";
import { toBatchRequest } from "../src/requests/add-input.js";
import { AddBatchRequestsRequestSchema, BatchRequestSchema, MessageRole, type BatchRequest } from "../src/core/internal/wire.js";

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
  /** User text per request, bytes. */
  textBytes: number;
  /**
   * Unmeasured runs of a variant between the full GC and its measurement. 0 measures each path's first
   * pass over a freshly collected heap (a short add); 1 or more, a pass that also collects the garbage of
   * the one before, as every call of a long add does.
   */
  warmPasses: number;
}

export const defaultEncodingOptions: Readonly<EncodingOptions> = Object.freeze({
  requests: 50_000,
  rounds: 5,
  textBytes: 300,
  warmPasses: 0,
});

const batchId = "batch_00000000-0000-0000-0000-000000000000";
const maxAddBytes = 25_000_000;
const maxRequestsPerCall = 10_000;

const variantNames = [
  "floor: one `toBinary` of all requests in one AddBatchRequestsRequest",
  "add's planning: RequestEncoder + ChunkPlanner, ids given",
  "add's planning, automatic ids (sha256 of each request)",
  "`runAdd` with a no-op transport, array input, ids given",
  "`runAdd` with a no-op transport, async-iterable input, ids given",
  "the same, general path only (normaliser + `toBinary`, no chat encoder: add before it)",
  "CLI path: JSONL file (compact lines) read and parsed by the CLI's reader, then `runAdd` with a no-op transport",
  "the same, general path only (add before the chat encoder)",
  "`runAdd` with a no-op transport, sync-generator input, ids given",
  "the async-iterable input alone: drained by `for await`, nothing done with it (part of its `runAdd` row)",
] as const;

/** Run in a fresh process (runInChild): the CPU ms of every variant in every round, `times[variant][round]`. */
export const tasks = {
  measure: async (o: EncodingOptions): Promise<{ times: number[][]; bytes: number }> => {
    const withIds = Array.from({ length: o.requests }, (_, i) => chat(i, true, o.textBytes));
    const withoutIds = Array.from({ length: o.requests }, (_, i) => chat(i, false, o.textBytes));
    const all = create(AddBatchRequestsRequestSchema, { batchId, batchRequests: withIds });
    const dir = mkdtempSync(join(tmpdir(), "xai-batch-bench-"));
    const file = join(dir, "requests.jsonl");
    writeFileSync(file, Array.from({ length: o.requests }, (_, i) => `${JSON.stringify(compactLine(i, o.textBytes))}\n`).join(""));
    const runs: (() => Promise<number>)[] = [
      async () => toBinary(AddBatchRequestsRequestSchema, all).length,
      async () => plan(withIds),
      async () => plan(withoutIds),
      () => addWithoutNetwork(withIds),
      () => addWithoutNetwork(fromArray(withIds)),
      () => addWithoutNetwork(fromArray(withIds), false),
      async () => addWithoutNetwork(await rowsOf(file)),
      async () => addWithoutNetwork(await rowsOf(file), false),
      () => addWithoutNetwork(fromArraySync(withIds)),
      () => drain(fromArray(withIds)),
    ];
    for (const work of runs) await work();
    const times = runs.map((): number[] => []);
    for (let round = 0; round < o.rounds; round++) {
      const order = runs.map((_, i) => i);
      for (const i of round % 2 === 0 ? order : order.reverse()) {
        collectGarbage();
        for (let pass = 0; pass < o.warmPasses; pass++) await runs[i]!();
        times[i]!.push(await cpuMs(runs[i]!));
      }
    }
    rmSync(dir, { recursive: true, force: true });
    return { times, bytes: toBinary(AddBatchRequestsRequestSchema, all).length };
  },
};

/** Runs the scenario in a fresh process: the CPU time of each way of encoding the same requests, and the ratio to the floor. */
export async function run(options: Partial<EncodingOptions> = {}): Promise<ScenarioReport> {
  const o = { ...defaultEncodingOptions, ...options };
  progress(`encoding: ${o.rounds} rounds of ${formatCount(o.requests)} requests in a child process`);
  const { times, bytes } = await runInChild<{ times: number[][]; bytes: number }>(import.meta.url, "measure", o);
  const floor = times[0]!;
  const ratio = (i: number) => spread(times[i]!.map((t, round) => t / floor[round]!));
  const planning = ratio(1);
  const pipeline = ratio(4);
  const megabytes = bytes / 1e6;
  const msPerMb = (i: number) => spread(times[i]!).median / megabytes;
  return {
    tables: [
      {
        title: `3. Encoding cost: CPU time for ${formatCount(o.requests)} chat requests (~${formatCount(o.textBytes)} bytes of text each, ${megabytes.toFixed(1)} MB encoded)`,
        columns: ["what", "CPU ms", "µs per request", "CPU ms per MB", "vs floor"],
        rows: variantNames.map((name, i) => {
          const s = spread(times[i]!);
          const r = ratio(i);
          return [
            name,
            formatSpread(s, 1),
            ((s.median * 1000) / o.requests).toFixed(2),
            msPerMb(i).toFixed(1),
            `${formatRatio(r.median)} (${formatRatio(r.min)}–${formatRatio(r.max)})`,
          ];
        }),
        notes: [
          `${o.rounds} interleaved rounds (odd rounds in reverse order) after one warm-up round, in a fresh process, a full GC before each measurement${o.warmPasses > 0 ? ` and ${o.warmPasses} unmeasured run(s) of the same variant after it (steady state: each measured run also collects the garbage of the one before)` : ""}; CPU time (user + system, process.cpuUsage) median (min–max); ratios taken within each round.`,
          "Inputs are BatchRequest messages built beforehand (not timed). Planning = what `add` does per request: validate, encode once (src/internal/wire/chat-encoder.ts for the chat requests it covers, else the normaliser and `toBinary`), (derive an id), size it and pack it into calls of ≤ 25 MB / 10,000 requests.",
          "`runAdd` rows add the add pipeline's own iteration (a generator step per call; from an iterable, src/internal/add/input-groups.ts: one `next()`, and for an async one an await, per request) around the same work; the network is replaced by a transport that returns at once. The source of the async-iterable rows is an async generator over the prebuilt requests; what draining it costs alone (last row) is the async iteration protocol's own cost, which no reader of an async iterable avoids.",
          "CLI path: the same requests as compact JSONL lines (`{id, model, messages}`) in a file, read as `xai-batch add` reads them (src/cli/request-source.ts over request-reader.ts: lines, UTF-8, JSON.parse) and encoded by add itself. CPU ms per MB divides by the encoded megabytes (1e6 bytes) of the floor's message.",
        ],
      },
    ],
    checks: [
      {
        scenario: "3. encoding",
        target: "add's planning ≤ 1.2× one toBinary",
        measured: formatRatio(planning.median),
        met: planning.median <= 1.2,
      },
      {
        scenario: "3. encoding",
        target: "(info) whole add pipeline, no network, streamed input, ≤ 1.2×",
        measured: formatRatio(pipeline.median),
        met: pipeline.median <= 1.2,
      },
      {
        scenario: "3. encoding",
        target: `library add ≤ 12 ms per MB (~${formatCount(o.textBytes)}-byte texts; floor ${msPerMb(0).toFixed(1)})`,
        measured: msPerMb(4).toFixed(1),
        met: msPerMb(4) <= 12,
      },
      {
        scenario: "3. encoding",
        target: `CLI add from JSONL ≤ 15 ms per MB, parse included (~${formatCount(o.textBytes)}-byte texts; floor ${msPerMb(0).toFixed(1)})`,
        measured: msPerMb(6).toFixed(1),
        met: msPerMb(6) <= 15,
      },
    ],
  };
}

function chat(i: number, withId: boolean, textBytes: number): BatchRequest {
  return create(BatchRequestSchema, {
    batchRequestId: withId ? requestId(i) : undefined,
    request: {
      case: "completionRequest",
      value: {
        model: benchModel,
        messages: [{ role: MessageRole.ROLE_USER, content: [{ content: { case: "text", value: promptText(i, textBytes) } }] }],
      },
    },
  });
}

/** The same request as chat(i, true) in the compact JSONL form the CLI reads. */
function compactLine(i: number, textBytes: number): object {
  return { id: requestId(i), model: benchModel, messages: [{ role: "user", content: promptText(i, textBytes) }] };
}

/** The rows of a JSONL file as `xai-batch add` hands them to the library (src/cli/commands/add.ts). */
async function rowsOf(file: string): Promise<AsyncIterable<unknown>> {
  const badLine = (_file: string, line: number, reason: string) => {
    throw new Error(`line ${line}: ${reason}`);
  };
  // Only what openRequestSource uses of a command's context without --strict.
  const ctx = { out: { badLine }, signal: new AbortController().signal } as unknown as CommandContext;
  return firstRequestOrFail(await openRequestSource(ctx, file, false));
}

/** src/internal/add/plan-calls.ts encodes requests in groups of this many. */
const encodingGroup = 256;

/** The per-request work of planCalls (src/internal/add/plan-calls.ts), without the async iteration around it. */
function plan(requests: readonly BatchRequest[]): number {
  const encoder = new RequestEncoder(
    (input, index) => toBatchRequest(input, index, batchModels),
    true,
    undefined,
    new ChatEncoder(batchModels, builtRequest),
  );
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

/** What `client.batch.add` runs, without the network; `chatEncoder` false leaves every request to the normaliser. */
async function addWithoutNetwork(input: Iterable<unknown> | AsyncIterable<unknown>, chatEncoder = true): Promise<number> {
  const settings: AddSettings = {
    maxAddBytes,
    maxRequestsPerCall,
    concurrency: 4,
    autoIds: true,
    oversize: "error",
    toRequest: (input, index) => toBatchRequest(input, index, batchModels),
    chatEncoder: chatEncoder ? new ChatEncoder(batchModels, builtRequest) : undefined,
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

function* fromArraySync<T>(items: readonly T[]): Generator<T> {
  yield* items;
}

async function drain(source: AsyncIterable<unknown>): Promise<number> {
  let count = 0;
  for await (const _ of source) count++;
  return count;
}

async function cpuMs(work: () => Promise<number>): Promise<number> {
  const before = process.cpuUsage();
  await work();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

if (isMain(import.meta.url)) await runScenarioScript(run, defaultEncodingOptions);
