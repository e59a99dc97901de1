import { basename, resolve } from "node:path";
import { outcomeExitCode, usd } from "../batch-format.js";
import { Checkpoint } from "../checkpoint.js";
import { defineCommand } from "../command.js";
import { exitCodes } from "../exit-codes.js";
import { count, duration } from "../progress.js";
import { firstRequestOrFail, openRequestSource } from "../request-source.js";
import { UsageError } from "../usage-error.js";
import { addOptionSpecs, addOptionsHelp, addSource, sendSettings } from "./add.js";
import { downloadResults } from "./results.js";
import { pollInterval, waitOptionSpecs, waitOptionsHelp, waitWithProgress } from "./wait.js";

/**
 * `xai-batch run FILE.jsonl --out RESULTS.jsonl`: the whole job in one command: create a batch, add the
 * file, wait, download the results. The batch id is saved in `RESULTS.jsonl.checkpoint` as soon as the
 * batch exists, so re-running the same command after a crash or Ctrl-C continues with that batch (adding
 * only what is missing, resuming the download) instead of creating and paying for another.
 */
export const command = defineCommand(
  {
    name: "run",
    summary: "create a batch from a JSONL file, wait, and write the results (resumable)",
    positionals: ["FILE.jsonl"],
    options: { out: { type: "string", short: "o" }, name: { type: "string" }, ...addOptionSpecs, ...waitOptionSpecs },
    optionsHelp: `  -o, --out FILE.jsonl     where the results go (required); FILE.jsonl.checkpoint holds the batch id meanwhile
  --name NAME              the batch's name (default: the input file's name)
${addOptionsHelp}
${waitOptionsHelp}`,
    description:
      "Creates a batch, adds every request of the input file, waits until all are processed, and writes the results\n" +
      "as JSONL. Interrupted? Run the same command again: it continues with the same batch.\n" +
      "Exits 0 if every request succeeded, 3 if some failed or input lines were bad.",
  },
  async (ctx, values, [file]) => {
    const out = values.out;
    if (out === undefined) throw new UsageError("--out RESULTS.jsonl is required: where the results are written.");
    const settings = sendSettings(values);
    const started = Date.now();
    const input = resolve(file!);
    const checkpoint = new Checkpoint(out);
    const saved = await checkpoint.load();
    if (saved !== undefined && saved.input !== input) {
      throw new UsageError(`${checkpoint.path} belongs to another job (batch ${saved.batchId}${saved.input === undefined ? "" : ` of ${saved.input}`}); choose another --out, or delete the checkpoint to start over.`);
    }

    let batchId = saved?.batchId;
    let badLines = saved?.badLines ?? 0;
    if (saved?.added !== true) {
      const source = await openRequestSource(ctx, file!, settings.strict);
      const requests = await firstRequestOrFail(source);
      if (batchId === undefined) {
        const batch = await ctx.client().batch.create(values.name ?? basename(file!), { signal: ctx.signal });
        batchId = batch.batchId;
        await checkpoint.save({ batchId, input });
        ctx.out.note(`Created batch ${batchId}.`);
      } else {
        ctx.out.note(`Continuing batch ${batchId} (from ${checkpoint.path}): adding what is missing.`);
      }
      await addSource(ctx, batchId, source, requests, settings);
      badLines = source.stats.badLines;
      await checkpoint.save({ batchId, input, added: true, badLines });
    } else {
      ctx.out.note(`Continuing batch ${batchId} (from ${checkpoint.path}): all requests were added.`);
    }
    const id = batchId!;
    ctx.onInterrupt(() => `Batch ${id} keeps processing. Run the same command again to continue with it.`);

    await waitWithProgress(ctx, id, pollInterval(values["poll-interval-ms"]));
    // The checkpoint stays until the summary is out: a crash before it re-runs with this batch, not a new one.
    const written = await downloadResults(ctx, id, { out, failedOnly: false, join: undefined, pageSize: 1000, keepCheckpoint: true });
    const batch = await ctx.client().batch.get(id, { signal: ctx.signal });
    const c = batch.counts;
    const elapsedMs = Date.now() - started;
    ctx.out.result(
      {
        type: "run",
        batchId: id,
        state: batch.status,
        out,
        results: written.written,
        succeeded: c.succeeded,
        failed: c.failed,
        cancelled: c.cancelled,
        badLines,
        costUsdTicks: batch.costUsdTicks,
        costUsd: batch.costUsd,
        elapsedMs,
      },
      [
        `batch ${id} ${batch.status} in ${duration(elapsedMs)}`,
        `  succeeded  ${count(c.succeeded)}`,
        `  failed     ${count(c.failed)}${c.failed > 0 ? ` (re-run them: xai-batch retry-failed ${id})` : ""}`,
        ...(c.cancelled > 0 ? [`  cancelled  ${count(c.cancelled)}`] : []),
        ...(badLines > 0 ? [`  bad lines  ${count(badLines)} (not sent; see above)`] : []),
        `  cost       ${usd(batch.costUsd)}`,
        `  results    ${out} (${count(written.written)} lines)`,
      ].join("\n"),
    );
    await checkpoint.remove();
    return badLines > 0 ? exitCodes.partial : outcomeExitCode(batch);
  },
);
