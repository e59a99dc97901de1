import { clone, createRegistry, toJson } from "@bufbuild/protobuf";
import {
  BadRequestSchema,
  BatchResultSchema,
  ErrorInfoSchema,
  QuotaFailureSchema,
  RetryInfoSchema,
  type BatchResult,
} from "../../index.js";
import { outcomeExitCode } from "../batch-format.js";
import { Checkpoint, type ResultsCursor } from "../checkpoint.js";
import { defineCommand, type CommandContext } from "../command.js";
import { integerFlag } from "../global-options.js";
import { openJsonlFile, streamJsonl } from "../jsonl-writer.js";
import { bar, count, etaText, joinParts, plural, type ProgressFrame } from "../progress.js";
import { prepareLines } from "../request-reader.js";
import { UsageError } from "../usage-error.js";

/** What to download and where. */
export interface ResultsSettings {
  /** Output file; undefined writes to stdout (no checkpoint then). */
  readonly out: string | undefined;
  readonly failedOnly: boolean;
  /** Input file to join results back to, in its order. */
  readonly join: string | undefined;
  /** Results per page. */
  readonly pageSize: number;
}

/** What a download wrote. */
export interface ResultsSummary {
  readonly written: number;
  readonly failed: number;
}

/** The google.rpc details the API attaches to errors, so a failed result's details print as JSON. */
const detailTypes = createRegistry(RetryInfoSchema, ErrorInfoSchema, QuotaFailureSchema, BadRequestSchema);

/** Lines written between checks of the abort signal and progress updates when joining. */
const joinChunk = 1_000;

/**
 * One result as a JSONL line: protobuf's canonical JSON of the BatchResult. An error detail of a type
 * this client does not know cannot be written as JSON; it is left out rather than losing the result.
 */
export function resultLine(raw: BatchResult): string {
  try {
    return JSON.stringify(toJson(BatchResultSchema, raw, { registry: detailTypes }));
  } catch {
    const copy = clone(BatchResultSchema, raw);
    if (copy.result.case === "error") copy.result.value.details = [];
    return JSON.stringify(toJson(BatchResultSchema, copy, { registry: detailTypes }));
  }
}

/** Where a download keeps its cursor, so a crashed one continues where it stopped. */
export interface CursorStore {
  /** Where this store keeps the cursor, for messages. */
  readonly path: string;
  load(): Promise<ResultsCursor | undefined>;
  save(cursor: ResultsCursor): Promise<void>;
}

/**
 * Downloads the results of one or more batches into one output, page by page in constant memory. With a
 * cursor store, the place after each page is saved once that page's lines are on disk, so a crashed or
 * interrupted download continues where it stopped (the file is cut back to the last complete page) and
 * writes each result once. Results of cancelled and expired batches are downloaded like any other.
 */
export async function downloadResults(
  ctx: CommandContext,
  batchIds: readonly string[],
  settings: ResultsSettings,
  store?: CursorStore,
): Promise<ResultsSummary> {
  let expected = 0;
  for (const id of batchIds) {
    const c = (await ctx.client().batch.get(id, { signal: ctx.signal })).counts;
    expected += settings.failedOnly ? c.failed : c.succeeded + c.failed;
  }
  if (settings.join !== undefined) return joinResults(ctx, batchIds[0]!, settings, settings.join, expected);

  const resume = await store?.load();
  if (resume !== undefined)
    ctx.out.note(`Resuming the download into ${settings.out} after ${plural(resume.written, "result")} (${store!.path}).`);
  const writer = settings.out === undefined ? streamJsonl(ctx.out.stdout) : await openJsonlFile(settings.out, { resumeAt: resume?.bytes });
  let written = resume?.written ?? 0;
  let failed = resume?.failed ?? 0;
  const started = Date.now();
  const startedAt = written;
  ctx.onInterrupt(() =>
    store === undefined
      ? "Run the same command again to download the results."
      : `${settings.out} holds ${plural(written, "result")}; run the same command again to continue from there (${store.path}).`,
  );
  // Results streaming to a terminal would be torn by a progress line redrawn on the same screen.
  const progress = ctx.out.progress(
    () => downloadFrame(written, failed, expected, written - startedAt, Date.now() - started),
    settings.out !== undefined || !ctx.out.stdout.isTTY,
  );
  const save = async (cursor: ResultsCursor) => {
    if (store === undefined) return;
    await writer.sync();
    await store.save(cursor);
  };
  try {
    for (let batch = resume?.batch ?? 0; batch < batchIds.length; batch++) {
      const token = batch === (resume?.batch ?? 0) ? resume?.paginationToken : undefined;
      const pages = ctx
        .client()
        .batch.listBatchResults(batchIds[batch]!, { limit: settings.pageSize, paginationToken: token, signal: ctx.signal })
        .pages();
      for await (const page of pages) {
        const kept = settings.failedOnly ? page.failed : page.results;
        await writer.writeLines(kept.map((r) => resultLine(r.raw)));
        written += kept.length;
        failed += settings.failedOnly ? kept.length : page.failed.length;
        // The last page of the last batch needs no cursor: the caller records the download as complete.
        const next =
          page.paginationToken === undefined
            ? { batch: batch + 1, paginationToken: undefined }
            : { batch, paginationToken: page.paginationToken };
        if (next.batch < batchIds.length) await save({ ...next, bytes: writer.bytes, written, failed });
        progress.update();
      }
    }
    await writer.close();
  } finally {
    progress.stop();
  }
  return { written, failed };
}

/** The cursor of `results --out FILE`, kept in FILE.checkpoint while the download is unfinished. */
async function checkpointStore(out: string, batchId: string, failedOnly: boolean): Promise<CursorStore & { remove(): Promise<void> }> {
  const checkpoint = new Checkpoint(out);
  const saved = await checkpoint.load();
  if (saved !== undefined && saved.batchId !== batchId) {
    throw new UsageError(
      `${out} is being written for batch ${saved.batchId} (${checkpoint.path}); choose another --out, or delete the checkpoint to start over.`,
    );
  }
  return {
    path: checkpoint.path,
    load: async () => (saved?.results !== undefined && saved.failedOnly === failedOnly ? saved.results : undefined),
    save: (results) => checkpoint.save({ batchId, failedOnly, results }),
    remove: () => checkpoint.remove(),
  };
}

/**
 * `--join`: each output line is `{"request": <input row>, "result": <BatchResult or null>}`, in input
 * order. The results are held in memory by id (as JSON text) while the input is streamed; the output is
 * written to `OUT.partial` and renamed when complete, so a crash leaves no half file (a re-run starts over).
 */
async function joinResults(
  ctx: CommandContext,
  batchId: string,
  settings: ResultsSettings,
  input: string,
  expected: number,
): Promise<ResultsSummary> {
  const byId = new Map<string, { line: string; ok: boolean }>();
  const started = Date.now();
  const collecting = ctx.out.progress(() => downloadFrame(byId.size, 0, expected, byId.size, Date.now() - started));
  try {
    for await (const page of ctx.client().batch.listBatchResults(batchId, { limit: settings.pageSize, signal: ctx.signal }).pages()) {
      for (const r of page.results) if (!settings.failedOnly || !r.ok) byId.set(r.batchRequestId, { line: resultLine(r.raw), ok: r.ok });
      collecting.update();
    }
  } finally {
    collecting.stop();
  }
  const writer = settings.out === undefined ? streamJsonl(ctx.out.stdout) : await openJsonlFile(settings.out, { atomic: true });
  let written = 0;
  let failed = 0;
  let lines: string[] = [];
  const flush = async () => {
    await writer.writeLines(lines);
    lines = [];
    if (ctx.signal.aborted) throw ctx.signal.reason;
  };
  const rows = prepareLines(input, {
    models: undefined,
    onBadLine: (line, reason) => ctx.out.badLine(input, line, reason),
    signal: ctx.signal,
  });
  for await (const row of rows) {
    const id = row.prepared.batchRequestId;
    const result = byId.get(id);
    if (settings.failedOnly && result === undefined) continue;
    byId.delete(id);
    lines.push(`{"request":${row.text},"result":${result?.line ?? "null"}}`);
    written++;
    if (result !== undefined && !result.ok) failed++;
    if (lines.length >= joinChunk) await flush();
  }
  for (const [, result] of byId) {
    lines.push(`{"request":null,"result":${result.line}}`);
    written++;
    if (!result.ok) failed++;
  }
  if (byId.size > 0) ctx.out.note(`Written last, with "request": null: ${plural(byId.size, "result")} whose id no row of ${input} has.`);
  await flush();
  await writer.close();
  return { written, failed };
}

function downloadFrame(written: number, failed: number, expected: number, thisRun: number, elapsedMs: number): ProgressFrame {
  return {
    text: joinParts(
      `downloading ${bar(expected === 0 ? 1 : written / expected)}`,
      `${count(written)} of ${plural(expected, "result")}`,
      failed > 0 && `${count(failed)} failed`,
      etaText(thisRun, thisRun + Math.max(0, expected - written), elapsedMs),
    ),
    fields: { stage: "results", written, failed, expected },
  };
}

/** `xai-batch results BATCH_ID`. */
export const command = defineCommand(
  {
    name: "results",
    summary: "download a batch's results as JSONL (resumable)",
    positionals: ["BATCH_ID"],
    options: {
      out: { type: "string", short: "o" },
      "failed-only": { type: "boolean" },
      join: { type: "string" },
      "page-size": { type: "string" },
    },
    optionsHelp: `  -o, --out FILE.jsonl   write here (default: stdout); a crashed download resumes from FILE.jsonl.checkpoint
  --failed-only          only the results that failed
  --join INPUT.jsonl     write {"request": <input row>, "result": <result or null>} lines in input order
  --page-size N          results per call, 1 to 1000 (default 1000)`,
    description:
      "Writes each result of the batch as one line of protobuf JSON (a BatchResult: batchRequestId, then response or error).\n" +
      "Results come in no particular order; --join puts them back beside their input rows. Cancelled and expired batches\n" +
      "give the results they have. Exits 3 if some requests failed, were cancelled or are still pending.",
  },
  async (ctx, values, [batchId]) => {
    const settings: ResultsSettings = {
      out: values.out,
      failedOnly: values["failed-only"] === true,
      join: values.join,
      pageSize: values["page-size"] === undefined ? 1000 : integerFlag("page-size", values["page-size"], 1, 1000),
    };
    const store =
      settings.out === undefined || settings.join !== undefined
        ? undefined
        : await checkpointStore(settings.out, batchId!, settings.failedOnly);
    const summary = await downloadResults(ctx, [batchId!], settings, store);
    await store?.remove();
    const batch = await ctx.client().batch.get(batchId!, { signal: ctx.signal });
    const c = batch.counts;
    if (c.pending > 0)
      ctx.out.note(
        `Still pending: ${plural(c.pending, "request")}; their results come later (\`xai-batch wait ${batchId}\`, then this command again).`,
      );
    const where = settings.out ?? "stdout";
    const human = `wrote ${plural(summary.written, "result")} (${count(summary.failed)} failed) to ${where}`;
    if (settings.out === undefined) ctx.out.note(human);
    else
      ctx.out.result(
        { type: "results", batchId, out: settings.out, written: summary.written, failed: summary.failed, pending: c.pending },
        human,
      );
    return outcomeExitCode(batch);
  },
);
