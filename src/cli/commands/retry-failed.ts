import { createHash } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import type { BatchRequest } from "../../index.js";
import { defineCommand, type CommandContext } from "../command.js";
import { exitCodes } from "../exit-codes.js";
import { count, plural } from "../progress.js";
import { prepareLines } from "../request-reader.js";
import { UsageError } from "../usage-error.js";
import { addOptionSpecs, addOptionsHelp, addWithProgress, sendSettings } from "./add.js";

/** GetBatchRequestResult calls in flight while fetching the requests to retry. */
const fetchConcurrency = 8;

/**
 * `xai-batch retry-failed BATCH_ID`: a new batch of the requests of BATCH_ID that failed, were cancelled
 * or never ran, under their original ids; the successes stay in BATCH_ID. The requests come from the
 * service (GetBatchRequestResult) or, with `--input`, from the original file, which is cheaper.
 */
export const command = defineCommand(
  {
    name: "retry-failed",
    summary: "put the failed, cancelled and never-run requests of a batch into a new batch",
    positionals: ["BATCH_ID"],
    options: { input: { type: "string" }, out: { type: "string", short: "o" }, name: { type: "string" }, ...addOptionSpecs },
    optionsHelp: `  --input FILE.jsonl       take the requests from the original input file (default: fetch each from the service)
  -o, --out FILE           record the new batch's id here (default: a file in $XAI_BATCH_STATE_DIR, else
                           ~/.local/state/xai-batch); while it holds an id, the same command continues that batch
  --name NAME              the new batch's name (default: "<old name> (retry)")
${addOptionsHelp}`,
    description:
      "Builds a new batch from the requests of BATCH_ID that failed, were cancelled or never ran, keeping their ids, and\n" +
      "prints its id. The successful results stay in BATCH_ID. BATCH_ID must be done (or cancelled) first.",
  },
  async (ctx, values, [batchId]) => {
    const settings = sendSettings(values);
    const client = ctx.client();
    const source = await client.batch.get(batchId!, { signal: ctx.signal });
    const c = source.counts;
    if (!source.done) {
      throw new UsageError(
        `batch ${batchId} still has ${count(c.pending)} pending requests. Wait for it (\`xai-batch wait ${batchId}\`) or cancel it first.`,
      );
    }
    const toRetry = c.failed + c.cancelled;
    if (toRetry === 0) {
      ctx.out.result(
        { type: "retry", sourceBatchId: batchId, batchId: null, requests: 0 },
        `nothing to retry: every request of ${batchId} succeeded`,
      );
      return exitCodes.ok;
    }

    const record = values.out ?? stateFile(ctx.client().baseUrl, batchId!);
    const newBatchId = await retryBatchId(ctx, record, values.name ?? `${source.name} (retry)`);
    let missing = 0;
    const requests =
      values.input === undefined ? fromService(ctx, batchId!, () => missing++) : fromFile(ctx, batchId!, values.input, () => missing++);
    const resumeHint = `Run the same command again to add the rest to that batch (its id is in ${record}); none is added twice.`;
    const totals = { estimatedTotal: () => ({ count: toRetry, exact: true }), badLines: () => 0 };
    const added = await addWithProgress(ctx, newBatchId, requests, totals, settings, resumeHint);
    if (missing > 0) ctx.out.note(`Not found, so not in the new batch: ${plural(missing, "request")} to retry (see above).`);
    ctx.out.result(
      { type: "retry", sourceBatchId: batchId, batchId: newBatchId, requests: added.requestsAdded + added.alreadyPresent, missing },
      newBatchId,
    );
    ctx.out.note(
      `Batch ${newBatchId} holds the ${plural(added.requestsAdded + added.alreadyPresent, "request")} to retry. Follow it with \`xai-batch wait ${newBatchId}\`.`,
    );
    return missing > 0 ? exitCodes.partial : exitCodes.ok;
  },
);

/**
 * Where `retry-failed BATCH_ID` records its batch without `--out`: one file per service and source batch
 * in the user's state directory, so running the command twice makes one batch.
 */
function stateFile(baseUrl: string, batchId: string): string {
  const dir = process.env.XAI_BATCH_STATE_DIR || join(process.env.XDG_STATE_HOME || join(homedir(), ".local", "state"), "xai-batch");
  const service = createHash("sha256").update(baseUrl).digest("hex").slice(0, 12);
  return join(dir, `retry-${service}-${batchId.replace(/[^\w.-]/g, "_")}.id`);
}

/**
 * The batch to retry into: the one recorded by an earlier run of this command (interrupted or finished),
 * or a new one, whose id is recorded at once so a crash or a second run cannot lead to a second batch.
 */
async function retryBatchId(ctx: CommandContext, record: string, name: string): Promise<string> {
  const earlier = await readFile(record, "utf8").then(
    (text) => text.trim(),
    () => "",
  );
  if (earlier !== "") {
    ctx.out.note(`Continuing with batch ${earlier} (recorded in ${record}): adding what is missing, creating nothing.`);
    return earlier;
  }
  const batch = await ctx.client().batch.create(name, { signal: ctx.signal });
  await mkdir(dirname(record), { recursive: true });
  await writeFile(record, `${batch.batchId}\n`);
  ctx.out.note(`Created batch ${batch.batchId} (id recorded in ${record}).`);
  return batch.batchId;
}

/** The ids of the requests of a batch that did not succeed. */
function idsToRetry(ctx: CommandContext, batchId: string): AsyncIterable<{ batchRequestId: string }> {
  return ctx.client().batch.listBatchRequests(batchId, { states: ["failed", "cancelled", "pending"], limit: 1000, signal: ctx.signal });
}

/** The requests to retry as the service stored them, fetched a few at a time, in listing order. */
async function* fromService(ctx: CommandContext, batchId: string, onMissing: () => void): AsyncGenerator<BatchRequest> {
  const inFlight: Promise<BatchRequest | undefined>[] = [];
  const fetchOne = (id: string) => {
    const fetching = ctx
      .client()
      .batch.getBatchRequestResult(batchId, id, { signal: ctx.signal })
      .then((r) => {
        if (r.raw.request === undefined) {
          ctx.out.note(`request ${JSON.stringify(id)}: the service did not return it; retry it from your input with --input.`);
          onMissing();
        }
        return r.raw.request;
      });
    // Settled out of order while an earlier one is awaited: mark it handled now, it is awaited in turn.
    fetching.catch(() => {});
    return fetching;
  };
  for await (const meta of idsToRetry(ctx, batchId)) {
    inFlight.push(fetchOne(meta.batchRequestId));
    if (inFlight.length >= fetchConcurrency) {
      const request = await inFlight.shift()!;
      if (request !== undefined) yield request;
    }
  }
  for (const fetching of inFlight) {
    const request = await fetching;
    if (request !== undefined) yield request;
  }
}

/** The requests to retry, read from the original input file; ids it lacks are fetched from the service. */
async function* fromFile(ctx: CommandContext, batchId: string, input: string, onMissing: () => void): AsyncGenerator<BatchRequest> {
  const wanted = new Set<string>();
  for await (const meta of idsToRetry(ctx, batchId)) wanted.add(meta.batchRequestId);
  const rows = prepareLines(input, {
    models: ctx.globals.models,
    onBadLine: (line, reason) => ctx.out.badLine(input, line, reason),
    signal: ctx.signal,
  });
  for await (const row of rows) {
    if (!wanted.delete(row.prepared.batchRequestId)) continue;
    yield row.prepared.request;
  }
  for (const id of wanted) {
    const { request } = (await ctx.client().batch.getBatchRequestResult(batchId, id, { signal: ctx.signal })).raw;
    if (request === undefined) {
      ctx.out.note(`request ${JSON.stringify(id)} is neither in ${input} nor returned by the service.`);
      onMissing();
    } else {
      yield request;
    }
  }
}
