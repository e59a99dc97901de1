import type { BatchCounts, BatchView } from "../../index.js";
import { batchLine, outcomeExitCode } from "../batch-format.js";
import { defineCommand, type CommandContext } from "../command.js";
import { integerFlag } from "../global-options.js";
import { bar, count, etaText, joinParts, type ProgressFrame } from "../progress.js";

/** Options of every command that waits for a batch. */
export const waitOptionSpecs = { "poll-interval-ms": { type: "string" } } as const;

export const waitOptionsHelp = "  --poll-interval-ms N     first interval between status polls; later ones grow to 15 s (default 1000)";

/** Longest interval between polls: a person watching should not wait long to see the end. */
const maxPollIntervalMs = 15_000;

/** The first poll interval from `--poll-interval-ms`. */
export function pollInterval(value: string | undefined): number | undefined {
  return value === undefined ? undefined : integerFlag("poll-interval-ms", value, 1, maxPollIntervalMs);
}

/**
 * Waits until the batch is done, with a progress line of what is *processed* (succeeded, failed,
 * cancelled) against what is pending, and an ETA from the rate seen during this wait.
 */
export async function waitWithProgress(ctx: CommandContext, batchId: string, pollIntervalMs: number | undefined): Promise<BatchView> {
  const [batch] = await waitAllWithProgress(ctx, [batchId], pollIntervalMs);
  return batch!;
}

/** Waits for several batches at once (the shards of one run) behind one progress line of their summed counts. */
export async function waitAllWithProgress(
  ctx: CommandContext,
  batchIds: readonly string[],
  pollIntervalMs: number | undefined,
): Promise<BatchView[]> {
  const started = Date.now();
  const latest = new Map<string, BatchCounts>();
  let first: BatchCounts | undefined;
  const label = batchIds.length === 1 ? `batch ${batchIds[0]}` : `${batchIds.length} batches`;
  const which = batchIds.length === 1 ? { batchId: batchIds[0] } : { batchIds };
  const progress = ctx.out.progress(() =>
    processingFrame(label, which, latest.size === 0 ? undefined : sumCounts([...latest.values()]), first, Date.now() - started),
  );
  try {
    return await Promise.all(
      batchIds.map((batchId) =>
        ctx.client().batch.wait(batchId, {
          signal: ctx.signal,
          pollIntervalMs,
          maxPollIntervalMs: Math.max(pollIntervalMs ?? 0, maxPollIntervalMs),
          onProgress: (batch) => {
            latest.set(batchId, batch.counts);
            if (latest.size === batchIds.length) first ??= sumCounts([...latest.values()]);
            progress.update();
          },
        }),
      ),
    );
  } finally {
    progress.stop();
  }
}

function sumCounts(all: readonly BatchCounts[]): BatchCounts {
  const sum = { total: 0, pending: 0, succeeded: 0, failed: 0, cancelled: 0 };
  for (const c of all) for (const key of Object.keys(sum) as (keyof typeof sum)[]) sum[key] += c[key];
  return sum;
}

function processingFrame(
  label: string,
  which: object,
  c: BatchCounts | undefined,
  first: BatchCounts | undefined,
  elapsedMs: number,
): ProgressFrame {
  if (c === undefined) return { text: `waiting for ${label}`, fields: { stage: "wait", ...which } };
  const done = c.succeeded + c.failed + c.cancelled;
  const doneBefore = first === undefined ? 0 : first.succeeded + first.failed + first.cancelled;
  return {
    text: joinParts(
      `processing ${bar(c.total === 0 ? 0 : done / c.total)}`,
      `${count(done)} of ${count(c.total)} done: ${count(c.succeeded)} succeeded, ${count(c.failed)} failed${c.cancelled > 0 ? `, ${count(c.cancelled)} cancelled` : ""}`,
      `${count(c.pending)} pending`,
      c.total === 0 && "no requests yet",
      etaText(done - doneBefore, c.total - doneBefore, elapsedMs),
    ),
    fields: { stage: "wait", ...which, ...c },
  };
}

/** `xai-batch wait BATCH_ID`. */
export const command = defineCommand(
  {
    name: "wait",
    summary: "wait until a batch is done, showing progress",
    positionals: ["BATCH_ID"],
    options: waitOptionSpecs,
    optionsHelp: waitOptionsHelp,
    description:
      "Waits until no request of the batch is pending (or it is cancelled or expires), showing how many succeeded, failed\n" +
      "and are pending. Exits 0 if every request succeeded, 3 if some failed or were cancelled.",
  },
  async (ctx, values, [batchId]) => {
    ctx.onInterrupt(() => `Batch ${batchId} keeps processing; run \`xai-batch wait ${batchId}\` to watch it again.`);
    const batch = await waitWithProgress(ctx, batchId!, pollInterval(values["poll-interval-ms"]));
    ctx.out.result(batch, batchLine(batch));
    return outcomeExitCode(batch);
  },
);
