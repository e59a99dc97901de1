import { stat } from "node:fs/promises";
import { basename, resolve } from "node:path";
import { defaultLimits, type AddInput, type BatchView } from "../../index.js";
import { outcomeExitCode, usd } from "../batch-format.js";
import { defineCommand, type CommandContext } from "../command.js";
import { exitCodeOf, exitCodes } from "../exit-codes.js";
import { integerFlag } from "../global-options.js";
import { count, duration } from "../progress.js";
import { firstRequestOrFail, openRequestSource, type RequestSource } from "../request-source.js";
import { fingerprintFile, RunManifest, type RunState, type ShardState } from "../run-manifest.js";
import { Slices } from "../slices.js";
import { UsageError } from "../usage-error.js";
import { addOptionSpecs, addOptionsHelp, addSource, sendSettings, type SendSettings } from "./add.js";
import { downloadResults, type CursorStore } from "./results.js";
import { pollInterval, waitAllWithProgress, waitOptionSpecs, waitOptionsHelp } from "./wait.js";

/** xAI says batches of more than 100,000 requests may be throttled: a larger input is split into several. */
const defaultMaxPerBatch = 100_000;

/**
 * `xai-batch run FILE.jsonl --out RESULTS.jsonl`: the whole job in one command: create a batch (one per
 * `--max-per-batch` requests), add the file, wait, download every result into one file. A manifest,
 * `RESULTS.jsonl.run.json`, records the input's fingerprint, the batch ids and the phase at every step, so
 * the same command again resumes an unfinished run and only re-reports a finished one: it never creates
 * (and bills) a batch twice. `--new` starts over.
 */
export const command = defineCommand(
  {
    name: "run",
    summary: "create a batch from a JSONL file, wait, and write the results (resumable, never twice)",
    positionals: ["FILE.jsonl"],
    options: {
      out: { type: "string", short: "o" },
      name: { type: "string" },
      new: { type: "boolean" },
      "max-per-batch": { type: "string" },
      via: { type: "string" },
      ...addOptionSpecs,
      ...waitOptionSpecs,
    },
    optionsHelp: `  -o, --out FILE.jsonl     where the results go (required); FILE.jsonl.run.json records the run
  --name NAME              the batch's name (default: the input file's name)
  --new                    start a fresh run even if FILE.jsonl.run.json records one (creates new batches)
  --max-per-batch N        most requests in one batch; a larger input is split into several (default 100000)
  --via add|file|auto      how requests go in: add calls (paced to the team's add quota), or each batch's
                           requests as one uploaded file in xAI's batch line format (no add calls; chat
                           and image requests only); auto: file when the input needs more than one add
                           call (over 25 MB), add otherwise (default add)
${addOptionsHelp}
${waitOptionsHelp}`,
    description:
      "Creates a batch, adds every request of the input file, waits until all are processed, and writes the results\n" +
      "as JSONL. Interrupted? Run the same command again: it continues with the same batches. Finished? The same\n" +
      "command again creates nothing: it reports the run (and downloads the results again if the file is gone).\n" +
      "Exits 0 if every request succeeded, 3 if some failed or input lines were bad.",
  },
  async (ctx, values, [file]) => {
    const out = values.out;
    if (out === undefined) throw new UsageError("--out RESULTS.jsonl is required: where the results are written.");
    const settings = sendSettings(values);
    const maxPerBatch =
      values["max-per-batch"] === undefined ? defaultMaxPerBatch : integerFlag("max-per-batch", values["max-per-batch"], 1, 100_000_000);
    const started = Date.now();
    const input = resolve(file!);
    const manifest = new RunManifest(out);
    const fingerprint = await fingerprintFile(input).catch((error: NodeJS.ErrnoException) => {
      throw new UsageError(`cannot read ${file}: ${error.code ?? error.message}. Nothing was sent.`);
    });
    let state = values.new === true ? undefined : await manifest.load();
    if (state !== undefined && (state.input !== input || state.fingerprint !== fingerprint || fingerprint === null)) {
      const what =
        state.input !== input
          ? `it records a run of ${state.input}`
          : fingerprint === null
            ? `${file} is not a regular file, so it cannot be told the same as in`
            : `${file} has changed since`;
      throw new UsageError(
        `${manifest.path}: ${what} (batches ${state.batches.map((b) => b.batchId).join(", ")}). Pass --new to start a fresh run, or choose another --out.`,
      );
    }
    if (state === undefined) {
      state = { version: 1, input, fingerprint, maxPerBatch, phase: "adding", batches: [] };
    } else if (state.phase === "done") {
      const done = state.done;
      if (done !== undefined && (await fileSize(out)) === done.bytes) {
        ctx.out.note(`This run is done (${manifest.path}); nothing was created. Pass --new to run it again as new batches.`);
        return report(ctx, state, out, done.written, started);
      }
      ctx.out.note(`This run is done (${manifest.path}), but ${out} is missing or changed: downloading the results again.`);
      state = { ...state, phase: "downloading", results: undefined, done: undefined };
    } else {
      ctx.out.note(
        `Continuing the run recorded in ${manifest.path} (${state.phase}, ${`${state.batches.length} batch${state.batches.length === 1 ? "" : "es"}`}).`,
      );
    }
    const save = async (next: RunState) => {
      state = next;
      await manifest.save(next);
    };

    if (state.phase === "adding") {
      const via = await chooseVia(ctx, values.via, input);
      await addShards(ctx, state, save, file!, settings, values.name ?? basename(file!), via);
    }
    const ids = state.batches.map((b) => b.batchId);
    const which = ids.length === 1 ? `Batch ${ids[0]} keeps` : `Batches ${ids.join(", ")} keep`;
    ctx.onInterrupt(() => `${which} processing. Run the same command again to continue with ${ids.length === 1 ? "it" : "them"}.`);
    if (state.phase === "processing") {
      await waitAllWithProgress(ctx, ids, pollInterval(values["poll-interval-ms"]));
      await save({ ...state, phase: "downloading" });
    }
    const store: CursorStore = {
      path: manifest.path,
      load: () => Promise.resolve(state!.results),
      save: (results) => save({ ...state!, results }),
    };
    const written = await downloadResults(ctx, ids, { out, failedOnly: false, join: undefined, pageSize: 1000 }, store);
    await save({ ...state, phase: "done", results: undefined, done: { written: written.written, bytes: (await fileSize(out)) ?? 0 } });
    return report(ctx, state, out, written.written, started);
  },
);

/**
 * Adds the input, `maxPerBatch` rows to a batch, creating each batch only when its stretch has a row and
 * recording it before anything is added to it. A stretch already added is read past, not sent again.
 */
async function addShards(
  ctx: CommandContext,
  state: RunState,
  save: (state: RunState) => Promise<void>,
  file: string,
  settings: SendSettings,
  name: string,
  via: "add" | "file",
): Promise<void> {
  const source = await openRequestSource(ctx, file, settings.strict);
  const rows = (await firstRequestOrFail(source))[Symbol.asyncIterator]();
  const slices = new Slices(rows, state.maxPerBatch);
  const batches: ShardState[] = [...state.batches];
  let before = 0;
  try {
    for (let i = 0; await slices.hasMore(); i++) {
      const known = batches[i];
      if (known?.added === true) {
        await slices.skip();
        before += state.maxPerBatch - (known.badLines ?? 0);
        continue;
      }
      if (via === "file" && known === undefined) {
        batches[i] = await submitFile(ctx, source, slices.next(), i === 0 ? name : `${name} (part ${i + 1})`, i, state.maxPerBatch);
        await save({ ...state, batches });
        continue;
      }
      let batchId = known?.batchId;
      const created = batchId === undefined;
      if (batchId === undefined) {
        batchId = (await ctx.client().batch.create(i === 0 ? name : `${name} (part ${i + 1})`, { signal: ctx.signal })).batchId;
        batches[i] = { batchId, added: false };
        await save({ ...state, batches });
        ctx.out.note(`Created batch ${batchId}${i === 0 ? "" : ` for requests from ${count(i * state.maxPerBatch + 1)} on`}.`);
      } else {
        ctx.out.note(`Continuing batch ${batchId}: adding what is missing.`);
      }
      const badBefore = source.stats.badLines;
      try {
        const added = await addSource(ctx, batchId, source, slices.next(), settings, before);
        before += added.requestsAdded + added.alreadyPresent;
      } catch (error) {
        if (created && !ctx.signal.aborted && exitCodeOf(error) !== exitCodes.failure) {
          await cancelIfEmpty(ctx, batchId);
          batches.splice(i, 1);
          await save({ ...state, batches });
        }
        throw error;
      }
      batches[i] = { batchId, added: true, badLines: source.stats.badLines - badBefore };
      await save({ ...state, batches });
    }
  } finally {
    await rows.return?.();
  }
  await save({ ...state, batches, phase: "processing" });
}

/**
 * `--via`: "add" or "file" as asked; "auto" takes the file path when the input is larger than one add
 * call (each add call spends the team's scarcest quota; an upload spends none), and says which and why.
 */
async function chooseVia(ctx: CommandContext, flag: string | undefined, input: string): Promise<"add" | "file"> {
  if (flag === undefined || flag === "add" || flag === "file") return flag ?? "add";
  if (flag !== "auto") throw new UsageError(`--via expects add, file or auto, got ${JSON.stringify(flag)}.`);
  const bytes = (await fileSize(input)) ?? 0;
  if (bytes > defaultLimits.maxAddBytes) {
    ctx.out.note(
      `Via file: ${count(bytes)} bytes of input would take several add calls of the team's 100 per 30 s; one upload takes none (--via add to add instead).`,
    );
    return "file";
  }
  ctx.out.note(`Via add: ${count(bytes)} bytes of input fit in one add call (--via file to upload it instead).`);
  return "add";
}

/** One batch's stretch of the input, written as xAI's batch lines, uploaded, and the batch created from it. */
async function submitFile(
  ctx: CommandContext,
  source: RequestSource,
  rows: AsyncIterable<AddInput>,
  name: string,
  index: number,
  maxPerBatch: number,
): Promise<ShardState> {
  const badBefore = source.stats.badLines;
  let sent = { bytesSent: 0, totalBytes: undefined as number | undefined };
  const progress = ctx.out.progress(() => ({
    text: `uploading ${name}: ${count(sent.bytesSent)} of ${sent.totalBytes === undefined ? "?" : count(sent.totalBytes)} bytes`,
    fields: { phase: "upload", bytesSent: sent.bytesSent, totalBytes: sent.totalBytes },
  }));
  try {
    const submitted = await ctx.client().batch.submit(name, rows, {
      via: "file",
      signal: ctx.signal,
      invalid: "skip",
      onInvalid: (error) => source.invalid(error),
      onUploadProgress: (p) => {
        sent = p;
        progress.update();
      },
    });
    progress.stop(null);
    const from = index === 0 ? "" : ` for requests from ${count(index * maxPerBatch + 1)} on`;
    ctx.out.note(
      `Created batch ${submitted.batch.batchId}${from} from the uploaded file ${submitted.file?.id} (${count(submitted.requests)} requests).`,
    );
    return { batchId: submitted.batch.batchId, added: true, badLines: source.stats.badLines - badBefore };
  } finally {
    progress.stop(null);
  }
}

/** A batch the service refused the first add to is empty: cancel it rather than leave it behind. */
async function cancelIfEmpty(ctx: CommandContext, batchId: string): Promise<void> {
  try {
    const batch = await ctx.client().batch.get(batchId);
    if (batch.counts.total > 0) return;
    await ctx.client().batch.cancel(batchId);
    ctx.out.note(
      `Cancelled batch ${batchId}: the service refused its first add, so it held no requests. Fix the input, then run the same command again.`,
    );
  } catch (error) {
    ctx.out.note(`Batch ${batchId} may be left empty: cancelling it failed (${(error as Error).message}).`);
  }
}

/** The summary of a run over all its batches, and the exit code it earns. */
async function report(ctx: CommandContext, state: RunState, out: string, written: number, started: number): Promise<number> {
  const batches: BatchView[] = [];
  for (const shard of state.batches) batches.push(await ctx.client().batch.get(shard.batchId, { signal: ctx.signal }));
  const sum = (pick: (b: BatchView) => number) => batches.reduce((total, b) => total + pick(b), 0);
  const c = { succeeded: sum((b) => b.counts.succeeded), failed: sum((b) => b.counts.failed), cancelled: sum((b) => b.counts.cancelled) };
  const badLines = state.batches.reduce((total, b) => total + (b.badLines ?? 0), 0);
  const status = batches.find((b) => b.status !== "completed")?.status ?? "completed";
  const costUsd = sum((b) => b.costUsd);
  const ids = batches.map((b) => b.batchId);
  const elapsedMs = Date.now() - started;
  const retryHint = batches
    .filter((b) => b.counts.failed > 0)
    .map((b) => `xai-batch retry-failed ${b.batchId}`)
    .join("; ");
  ctx.out.result(
    {
      type: "run",
      batchId: ids[0],
      batchIds: ids,
      state: status,
      out,
      results: written,
      succeeded: c.succeeded,
      failed: c.failed,
      cancelled: c.cancelled,
      badLines,
      costUsdTicks: sum((b) => b.costUsdTicks),
      costUsd,
      elapsedMs,
    },
    [
      `${ids.length === 1 ? `batch ${ids[0]}` : `${ids.length} batches (${ids.join(", ")})`} ${status} in ${duration(elapsedMs)}`,
      `  succeeded  ${count(c.succeeded)}`,
      `  failed     ${count(c.failed)}${c.failed > 0 ? ` (re-run them: ${retryHint})` : ""}`,
      ...(c.cancelled > 0 ? [`  cancelled  ${count(c.cancelled)}`] : []),
      ...(badLines > 0 ? [`  bad lines  ${count(badLines)} (not sent; see above)`] : []),
      `  cost       ${usd(costUsd)}`,
      `  results    ${out} (${count(written)} lines)`,
    ].join("\n"),
  );
  if (badLines > 0) return exitCodes.partial;
  return batches.every((b) => outcomeExitCode(b) === exitCodes.ok) ? exitCodes.ok : exitCodes.partial;
}

async function fileSize(path: string): Promise<number | undefined> {
  return stat(path).then(
    (s) => s.size,
    () => undefined,
  );
}
