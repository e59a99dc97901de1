import type { AddInput, AddOptions, AddProgress } from "../../index.js";
import { defineCommand, type CommandContext, type OptionValues } from "../command.js";
import { exitCodes } from "../exit-codes.js";
import { integerFlag } from "../global-options.js";
import { bar, count, duration, etaText, joinParts, plural, type ProgressFrame } from "../progress.js";
import { firstRequestOrFail, openRequestSource, type RequestSource, type Total } from "../request-source.js";

/** Options of every command that adds requests. */
export const addOptionSpecs = {
  strict: { type: "boolean" },
  "requests-per-call": { type: "string" },
  concurrency: { type: "string" },
} as const;

export const addOptionsHelp = `  --strict                 check the whole file first and stop at the first bad line, sending nothing
                           (default: report bad lines, add the rest, exit 3)
  --requests-per-call N    most requests in one AddBatchRequests call (default: no cap; calls are cut at 25 MB)
  --concurrency N          AddBatchRequests calls in flight (default 4)`;

/** How requests are sent, from the add options. */
export interface SendSettings {
  readonly strict: boolean;
  readonly maxRequestsPerCall: number | undefined;
  readonly concurrency: number | undefined;
}

export function sendSettings(values: OptionValues<typeof addOptionSpecs>): SendSettings {
  return {
    strict: values.strict === true,
    maxRequestsPerCall:
      values["requests-per-call"] === undefined ? undefined : integerFlag("requests-per-call", values["requests-per-call"], 1, 1_000_000),
    concurrency: values.concurrency === undefined ? undefined : integerFlag("concurrency", values.concurrency, 1, 64),
  };
}

/** What the add progress line knows besides the library's AddProgress. */
export interface AddTotals {
  /** Requests the input will give in all, if known or estimable. */
  estimatedTotal(): Total | undefined;
  /** Bad input lines met so far. */
  badLines(): number;
  /** Requests already in earlier batches of the same run (its shards), counted into the line. @default 0 */
  readonly before?: number;
}

/**
 * Adds requests with a live progress line and a resume hint on Ctrl-C. The line counts what is *added*
 * (confirmed by the server), never what is processed: those are different numbers, shown by `wait`.
 */
export async function addWithProgress(
  ctx: CommandContext,
  batchId: string,
  requests: AsyncIterable<AddInput>,
  totals: AddTotals,
  settings: SendSettings,
  resumeHint = "Run the same command again to add the rest: requests are added by id, so none is added twice.",
  inputOptions: Pick<AddOptions, "invalid" | "onInvalid" | "oversize" | "onSkip"> = {},
): Promise<AddProgress> {
  const started = Date.now();
  let latest: AddProgress = {
    requestsRead: 0,
    requestsAdded: 0,
    alreadyPresent: 0,
    skipped: 0,
    invalid: 0,
    bytesSent: 0,
    calls: 0,
    retries: 0,
    quotaWaitMs: 0,
    listCalls: 0,
  };
  const frame = (): ProgressFrame => addFrame(latest, totals, ctx.quota.waitingMs("add"), Date.now() - started);
  ctx.onInterrupt(
    () =>
      `Before stopping, ${plural(latest.requestsAdded, "request")} went into batch ${batchId} (${count(latest.alreadyPresent)} already there); calls in flight may have landed too.\n${resumeHint}`,
  );
  const progress = ctx.out.progress(frame);
  try {
    latest = await ctx.client().batch.add(batchId, requests, {
      signal: ctx.signal,
      maxRequestsPerCall: settings.maxRequestsPerCall,
      concurrency: settings.concurrency,
      ...inputOptions,
      onProgress: (p) => {
        latest = p;
        progress.update();
      },
    });
  } finally {
    progress.stop();
  }
  return latest;
}

function addFrame(p: AddProgress, totals: AddTotals, quotaWaitingMs: number, elapsedMs: number): ProgressFrame {
  const before = totals.before ?? 0;
  const done = before + p.requestsAdded + p.alreadyPresent;
  const total = totals.estimatedTotal();
  const bad = totals.badLines();
  const waiting = quotaWaitingMs >= 1_000;
  return {
    text: joinParts(
      `adding ${total === undefined ? "" : bar(done / Math.max(total.count, 1))}`.trimEnd(),
      `${count(before + p.requestsAdded)} added${total === undefined ? "" : ` of ${total.exact ? "" : "~"}${count(total.count)}`}`,
      p.alreadyPresent > 0 && `${count(p.alreadyPresent)} already there`,
      bad > 0 && plural(bad, "bad line"),
      plural(p.calls, "call"),
      p.retries > 0 && `${count(p.retries)} ${p.retries === 1 ? "retry" : "retries"}`,
      waiting ? `waiting for add quota ${duration(quotaWaitingMs)}` : p.quotaWaitMs >= 1_000 && `quota waits ${duration(p.quotaWaitMs)}`,
      total !== undefined && etaText(done, total.count, elapsedMs),
    ),
    fields: {
      stage: "add",
      added: p.requestsAdded,
      alreadyPresent: p.alreadyPresent,
      estimatedTotal: total?.count,
      badLines: bad,
      calls: p.calls,
      retries: p.retries,
      quotaWaitMs: p.quotaWaitMs,
      listCalls: p.listCalls,
      waitingForQuotaMs: quotaWaitingMs,
    },
  };
}

/**
 * Adds the rows of an input file as they are: the library reads, checks and encodes each once, and
 * reports the rows it refuses, which are shown as bad lines (with `--strict` the file was checked first).
 * Used by `add` and `run`.
 */
export async function addSource(
  ctx: CommandContext,
  batchId: string,
  source: RequestSource,
  rows: AsyncIterable<AddInput>,
  settings: SendSettings,
  before = 0,
): Promise<AddProgress> {
  const totals: AddTotals = { estimatedTotal: () => source.estimatedTotal(), badLines: () => source.stats.badLines, before };
  const added = await addWithProgress(ctx, batchId, rows, totals, settings, undefined, {
    invalid: "skip",
    onInvalid: (error) => source.invalid(error),
    oversize: "skip",
    onSkip: (skipped) => source.oversize(skipped),
  });
  const hidden = ctx.out.hiddenBadLines;
  if (hidden > 0) ctx.out.note(`${count(hidden)} more bad lines not shown (\`xai-batch check ${source.file}\` lists them all).`);
  return added;
}

/** `xai-batch add BATCH_ID FILE.jsonl`. */
export const command = defineCommand(
  {
    name: "add",
    summary: "add the requests of a JSONL file to a batch (resumable)",
    positionals: ["BATCH_ID", "FILE.jsonl"],
    options: addOptionSpecs,
    optionsHelp: addOptionsHelp,
    description:
      "Adds every request of FILE.jsonl to the batch, streaming the file. Lines are BatchRequests in protobuf JSON, the\n" +
      'compact chat form {"id":"a","model":"grok-4","messages":[{"role":"user","content":"Hi"}]}, or OpenAI batch lines\n' +
      '{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{...}}.\n' +
      "Interrupted (Ctrl-C, a crash)? Run the same command again: requests are added by id, so only the missing\n" +
      "ones are sent. Lines without an id get one derived from their content, the same in every run.",
  },
  async (ctx, values, [batchId, file]) => {
    const settings = sendSettings(values);
    const source = await openRequestSource(ctx, file!, settings.strict);
    const result = await addSource(ctx, batchId!, source, await firstRequestOrFail(source), settings);
    const batch = await ctx.client().batch.get(batchId!, { signal: ctx.signal });
    const c = batch.counts;
    ctx.out.note(
      `Batch ${batchId} holds ${plural(c.total, "request")}: ${count(c.pending)} still pending, ${count(c.succeeded + c.failed)} processed. ` +
        `Follow it with \`xai-batch wait ${batchId}\`.`,
    );
    ctx.out.result(
      {
        type: "add",
        batchId,
        file,
        requestsAdded: result.requestsAdded,
        alreadyPresent: result.alreadyPresent,
        badLines: source.stats.badLines,
        calls: result.calls,
        retries: result.retries,
        quotaWaitMs: result.quotaWaitMs,
        listCalls: result.listCalls,
      },
      `added ${plural(result.requestsAdded, "request")} to ${batchId}` +
        `${result.alreadyPresent > 0 ? ` (${count(result.alreadyPresent)} were there already)` : ""}` +
        `${source.stats.badLines > 0 ? `; ${plural(source.stats.badLines, "bad line")} skipped` : ""}`,
    );
    return source.stats.badLines > 0 ? exitCodes.partial : exitCodes.ok;
  },
);
