// Scenario 4: reading a large batch's results. `for await` over client.batch.listBatchResults vs a
// grpc-js + proto-loader loop over pages, at page sizes 100 and 1,000, each in a fresh client process.
import { Client } from "../src/index.js";
import { runInChild } from "./support/child.js";
import { startBenchEmulator } from "./support/emulator.js";
import type { ProcessUsage } from "./support/fork.js";
import { createGrpcJsClient, plainChatRequest } from "./support/grpc-js-client.js";
import { isMain, runScenarioScript } from "./support/main.js";
import { benchModel, requestStream, sendInChunks } from "./support/requests.js";
import { spread, spreadOf } from "./support/stats.js";
import { formatCount, formatRatio, formatSpread, progress, type Check, type ScenarioReport } from "./support/table.js";

/** How much to measure. */
export interface ResultsOptions {
  /** Results in the batch, all read by every run. */
  results: number;
  /** Page sizes (`limit`) to compare. */
  pageSizes: readonly number[];
  /** Runs per variant and page size; odd rounds run the variants in reverse order. */
  rounds: number;
}

export const defaultResultsOptions: Readonly<ResultsOptions> = Object.freeze({ results: 1_000_000, pageSizes: [100, 1_000], rounds: 2 });

/** Peak RSS is sampled once this share of the results has been read, and again at the end. */
const sampleShare = 0.2;
/** Requests per AddBatchRequests call when filling the batch. */
const fillChunk = 10_000;
const unthrottled = { addCallsPerWindow: 100_000, addWindowMs: 1_000 };

interface TaskParams {
  readonly url: string;
  readonly batchId: string;
  readonly limit: number;
  /** Results read when the first RSS sample is taken. */
  readonly sampleAt: number;
}

interface ReadRun {
  readonly elapsedMs: number;
  readonly results: number;
  /** Peak RSS of the process after `sampleAt` results, in MiB. */
  readonly rssAtSampleMiB: number;
}

/** The client variants, each run in a fresh process by runInChild. */
export const tasks = {
  library: ({ url, batchId, limit, sampleAt }: TaskParams) => {
    const client = new Client({ apiKey: "bench-key", baseUrl: url });
    return timedRead(async (onResult) => {
      for await (const result of client.batch.listBatchResults(batchId, { limit })) onResult(result.batchRequestId);
    }, sampleAt).finally(() => client.close());
  },
  grpcJs: ({ url, batchId, limit, sampleAt }: TaskParams) => {
    const client = createGrpcJsClient(url);
    return timedRead(async (onResult) => {
      let token: string | undefined;
      do {
        const page = await client.listBatchResults(batchId, limit, token);
        for (const result of page.results) onResult(result.batch_request_id);
        token = page.pagination_token || undefined;
      } while (token !== undefined);
    }, sampleAt).finally(() => client.close());
  },
};

/** Times a read of every result; `onResult` counts them and samples RSS after `sampleAt`. */
async function timedRead(read: (onResult: (id: string) => void) => Promise<void>, sampleAt: number): Promise<ReadRun> {
  let results = 0;
  let rssAtSampleMiB = 0;
  const started = performance.now();
  await read((id) => {
    if (id === "") throw new Error("a result without batch_request_id");
    if (++results === sampleAt) rssAtSampleMiB = process.resourceUsage().maxRSS / 1024;
  });
  return { elapsedMs: performance.now() - started, results, rssAtSampleMiB };
}

type VariantName = keyof typeof tasks;
const variants: readonly { task: VariantName; name: string }[] = [
  { task: "library", name: "library `for await` over `listBatchResults`" },
  { task: "grpcJs", name: "grpc-js + proto-loader loop over pages" },
];

interface Measured extends ReadRun {
  readonly usage: ProcessUsage;
}

/** Fills one emulator with `results` finished requests, then reads them all with every variant. */
export async function run(options: Partial<ResultsOptions> = {}): Promise<ScenarioReport> {
  const o = { ...defaultResultsOptions, ...options };
  const server = await startBenchEmulator({
    limits: { ...unthrottled, createIntervalMs: 0 },
    processing: { requestsPerSecond: 1_000_000 },
  });
  try {
    const { batchId, fillMs, processMs } = await fill(server.url, o.results);
    progress(
      `results: ${formatCount(o.results)} requests added in ${(fillMs / 1000).toFixed(1)} s, processed ${(processMs / 1000).toFixed(1)} s later`,
    );
    const runs = new Map<string, Measured[]>();
    for (let round = 0; round < o.rounds; round++) {
      for (const limit of o.pageSizes) {
        for (const v of round % 2 === 0 ? variants : [...variants].reverse()) {
          const params: TaskParams = { url: server.url, batchId, limit, sampleAt: Math.floor(o.results * sampleShare) };
          const measured = await runInChild<ReadRun>(import.meta.url, v.task, params);
          if (measured.results !== o.results) throw new Error(`${v.task} read ${measured.results} results, expected ${o.results}`);
          (runs.get(`${v.task}:${limit}`) ?? runs.set(`${v.task}:${limit}`, []).get(`${v.task}:${limit}`)!).push(measured);
          progress(
            `results: ${v.task} limit ${limit}: ${formatCount((o.results * 1000) / measured.elapsedMs)} results/s, peak RSS ${measured.usage.maxRssMiB.toFixed(0)} MiB`,
          );
        }
      }
    }
    const serverRssMiB = (await server.stats()).usage.maxRssMiB;
    return report(runs, o, { fillMs, processMs, serverRssMiB });
  } finally {
    await server.stop();
  }
}

/** Adds `n` short chat requests (grpc-js, 10,000 per call) and waits until the emulator has processed them all. */
async function fill(url: string, n: number): Promise<{ batchId: string; fillMs: number; processMs: number }> {
  const started = performance.now();
  const grpcJs = createGrpcJsClient(url);
  const { batch_id: batchId } = await grpcJs.createBatch("results");
  await sendInChunks(
    requestStream(n, (id) => plainChatRequest(id, benchModel, `Say hello to ${id}.`)),
    fillChunk,
    (chunk) => grpcJs.addBatchRequests(batchId, chunk),
  );
  grpcJs.close();
  const added = performance.now();
  const client = new Client({ apiKey: "bench-key", baseUrl: url });
  await client.batch.wait(batchId, { pollIntervalMs: 250, maxPollIntervalMs: 1_000 }).finally(() => client.close());
  return { batchId, fillMs: added - started, processMs: performance.now() - added };
}

function report(
  runs: Map<string, Measured[]>,
  o: ResultsOptions,
  server: { fillMs: number; processMs: number; serverRssMiB: number },
): ScenarioReport {
  const of = (task: VariantName, limit: number) => runs.get(`${task}:${limit}`)!;
  const rate = (r: Measured) => (r.results * 1000) / r.elapsedMs;
  const growth = (r: Measured) => r.usage.maxRssMiB / r.rssAtSampleMiB;
  const vsGrpcJs = (task: VariantName, limit: number) => spread(of(task, limit).map((r, i) => rate(r) / rate(of("grpcJs", limit)[i]!)));
  const sampleAt = formatCount(o.results * sampleShare);
  const checks: Check[] = o.pageSizes.flatMap((limit) => {
    const ratio = vsGrpcJs("library", limit).median;
    const rssGrowth = spreadOf(of("library", limit), growth).max;
    return [
      {
        scenario: "4. results",
        target: `library ≥ 1.5× grpc-js throughput, limit ${limit}`,
        measured: formatRatio(ratio),
        met: ratio >= 1.5,
      },
      {
        scenario: "4. results",
        target: `library memory bounded, limit ${limit}: peak RSS at ${formatCount(o.results)} ≤ 1.2× at ${sampleAt}`,
        measured: `${formatRatio(rssGrowth)} (worst run)`,
        met: rssGrowth <= 1.2,
      },
    ];
  });
  return {
    tables: [
      {
        title: `4. Results streaming: ${formatCount(o.results)} results of one batch`,
        columns: [
          "client",
          "limit",
          "results/s",
          "vs grpc-js",
          `peak RSS MiB after ${sampleAt}`,
          `peak RSS MiB after ${formatCount(o.results)}`,
        ],
        rows: o.pageSizes.flatMap((limit) =>
          variants.map((v) => {
            const rs = of(v.task, limit);
            const ratio = vsGrpcJs(v.task, limit);
            return [
              v.name,
              formatCount(limit),
              formatSpread(spreadOf(rs, rate), 0),
              `${formatRatio(ratio.median)} (${formatRatio(ratio.min)}–${formatRatio(ratio.max)})`,
              formatSpread(
                spreadOf(rs, (r) => r.rssAtSampleMiB),
                0,
              ),
              formatSpread(
                spreadOf(rs, (r) => r.usage.maxRssMiB),
                0,
              ),
            ];
          }),
        ),
        notes: [
          `${o.rounds} runs per variant and page size, median (min–max); each run is a fresh client process reading every result of the same batch, on one emulator process.`,
          `Filling: ${formatCount(o.results)} short chat requests added in ${(server.fillMs / 1000).toFixed(1)} s (grpc-js, ${formatCount(fillChunk)} per call), processed at up to 1,000,000/s in ${(server.processMs / 1000).toFixed(1)} s more; the emulator's peak RSS was ${server.serverRssMiB.toFixed(0)} MiB.`,
          "The library yields a ResultView per result (`ok`, `text`, ...), read from the result's bytes (`raw` decoded on first use), and asks for the next page before it builds this one's views; the grpc-js loop reads the decoded protobufjs objects as they are, one page after another.",
          `Bounded memory: the peak RSS after all results is compared with the peak after the first ${sampleAt}, in the same process.`,
        ],
      },
    ],
    checks,
  };
}

if (isMain(import.meta.url)) await runScenarioScript(run, defaultResultsOptions);
