import type { JsonObject } from "@bufbuild/protobuf";
import type { InputError, SkippedRequest } from "../index.js";
import type { CommandContext } from "./command.js";
import type { ReadPosition } from "./jsonl-reader.js";
import { bar, joinParts, plural, type ProgressFrame } from "./progress.js";
import { prepareLines, RequestLineReader, rowProblem, type InputStats } from "./request-reader.js";
import { UsageError } from "./usage-error.js";

/** How many requests there are in all, and whether that is known or estimated. */
export interface Total {
  readonly count: number;
  readonly exact: boolean;
}

/** The rows of an input file as a command hands them to `add`, with what is known of the rest. */
export interface RequestSource {
  readonly file: string;
  /** The JSON rows, in file order; lines that are not JSON objects are reported as they are met. */
  readonly rows: AsyncIterator<JsonObject>;
  readonly stats: InputStats;
  /** Requests the file will give in all: exact once it is read, else estimated from the share read. */
  estimatedTotal(): Total | undefined;
  /** Reports a row `add` refused (its index is the row's position among `rows`). */
  invalid(error: InputError): void;
  /** Reports a row `add` left out for size. */
  oversize(skipped: SkippedRequest): void;
}

/**
 * Opens an input file of requests. Bad lines are reported through `ctx.out` and skipped; with `strict`
 * the whole file is checked first and the first bad line stops the command before anything is sent.
 */
export async function openRequestSource(ctx: CommandContext, file: string, strict: boolean): Promise<RequestSource> {
  if (strict) await checkWholeFile(ctx, file);
  const stats: InputStats = { lines: 0, requests: 0, badLines: 0 };
  const position: ReadPosition = { bytesRead: 0, totalBytes: 0 };
  // The line of each row handed to add, by its index there, so what add refuses is reported by line.
  const lineOfRow: number[] = [];
  let finished = false;
  const reader = new RequestLineReader(file, {
    onBadLine: (line, reason) => ctx.out.badLine(file, line, reason),
    position,
    stats,
    signal: ctx.signal,
  });
  // A plain iterator over the reader rather than generators re-yielding its rows: an await only per chunk.
  const rows: AsyncIterator<JsonObject> = {
    next: async () => {
      let input = reader.take();
      while (input === undefined) {
        if (!(await reader.more())) {
          finished = true;
          return { done: true, value: undefined };
        }
        input = reader.take();
      }
      lineOfRow.push(input.line);
      stats.requests++;
      return { done: false, value: input.row };
    },
    return: async () => {
      await reader.close();
      return { done: true, value: undefined };
    },
  };
  const bad = (index: number, reason: string) => {
    stats.requests--;
    stats.badLines++;
    ctx.out.badLine(file, lineOfRow[index]!, reason);
  };
  return {
    file,
    rows,
    stats,
    estimatedTotal: () => {
      if (finished) return { count: stats.requests, exact: true };
      if (position.bytesRead === 0 || position.totalBytes === 0) return undefined;
      return { count: Math.round((stats.requests * position.totalBytes) / position.bytesRead), exact: false };
    },
    invalid: (error) => bad(error.index!, rowProblem(error)),
    oversize: (s) =>
      bad(
        s.index,
        `the request encodes to ${s.bytes} bytes; one AddBatchRequests call may carry at most ${s.limit} bytes. Pass large media by URL.`,
      ),
  };
}

/**
 * Takes the first row, so a command can refuse a file with none before it creates anything.
 * Returns an iterable of every row, the taken one first. It hands out the source's own results rather
 * than re-yielding them from a generator, whose await per row costs more than reading a short row.
 */
export async function firstRequestOrFail(source: RequestSource): Promise<AsyncIterable<JsonObject>> {
  const first = await source.rows.next();
  if (first.done) {
    throw new UsageError(
      `${source.file} has no valid requests: all ${source.stats.badLines} non-blank lines are bad (see above). Nothing was sent.`,
    );
  }
  let taken: IteratorResult<JsonObject> | undefined = first;
  const rows: AsyncIterator<JsonObject> = {
    next: () => {
      const result = taken ?? source.rows.next();
      taken = undefined;
      return Promise.resolve(result);
    },
    // Stopped early (an error, Ctrl-C): close the file now rather than when the process ends.
    return: async () => {
      taken = undefined;
      await source.rows.return?.();
      return { done: true, value: undefined };
    },
  };
  return { [Symbol.asyncIterator]: () => rows };
}

/** `--strict`: reads the whole file as `add` would and stops at its first bad line, before anything is sent. */
async function checkWholeFile(ctx: CommandContext, file: string): Promise<void> {
  const position: ReadPosition = { bytesRead: 0, totalBytes: 0 };
  const stats: InputStats = { lines: 0, requests: 0, badLines: 0 };
  const progress = ctx.out.progress(() => checkingFrame(file, position, stats));
  try {
    const requests = prepareLines(file, {
      models: ctx.globals.models,
      onBadLine: (line, reason) => {
        throw new UsageError(
          `${file}:${line}: ${reason}\n--strict stops at the first bad line; nothing was sent. Fix the line (\`xai-batch check ${file}\` lists them all), or leave out --strict to skip bad lines.`,
        );
      },
      position,
      stats,
      signal: ctx.signal,
    });
    for await (const _ of requests) {
      if (ctx.signal.aborted) throw ctx.signal.reason;
    }
  } finally {
    progress.stop();
  }
}

/** Progress of reading through a file without sending. */
export function checkingFrame(file: string, position: ReadPosition, stats: InputStats): ProgressFrame {
  const fraction = position.totalBytes === 0 ? 0 : position.bytesRead / position.totalBytes;
  return {
    text: joinParts(
      `checking ${file} ${bar(fraction)}`,
      `${plural(stats.requests, "request")}`,
      stats.badLines > 0 && plural(stats.badLines, "bad line"),
    ),
    fields: {
      stage: "check",
      file,
      bytesRead: position.bytesRead,
      totalBytes: position.totalBytes,
      requests: stats.requests,
      badLines: stats.badLines,
    },
  };
}
