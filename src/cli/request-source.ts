import { defaultLimits } from "../index.js";
import type { CommandContext } from "./command.js";
import type { ReadPosition } from "./jsonl-reader.js";
import { bar, joinParts, plural, type ProgressFrame } from "./progress.js";
import { readRequests, type InputRequest, type InputStats } from "./request-reader.js";
import { UsageError } from "./usage-error.js";

/** How many requests there are in all, and whether that is known or estimated. */
export interface Total {
  readonly count: number;
  readonly exact: boolean;
}

/** The requests of an input file as a command consumes them, with what is known of the rest. */
export interface RequestSource {
  readonly file: string;
  /** The valid requests, in file order; bad lines are reported as they are met. */
  readonly requests: AsyncIterator<InputRequest>;
  readonly stats: InputStats;
  /** Requests the file will give in all: exact once it is read, else estimated from the share read. */
  estimatedTotal(): Total | undefined;
}

/**
 * Opens an input file of requests. Bad lines are reported through `ctx.out` and skipped; with `strict`
 * the whole file is checked first and the first bad line stops the command before anything is sent.
 */
export async function openRequestSource(ctx: CommandContext, file: string, strict: boolean): Promise<RequestSource> {
  if (strict) await checkWholeFile(ctx, file);
  const stats: InputStats = { lines: 0, requests: 0, badLines: 0 };
  const position: ReadPosition = { bytesRead: 0, totalBytes: 0 };
  let finished = false;
  const reader = readRequests(file, {
    models: ctx.globals.models,
    maxAddBytes: defaultLimits.maxAddBytes,
    onBadLine: (line, reason) => ctx.out.badLine(file, line, reason),
    position,
    stats,
  });
  const requests = (async function* () {
    yield* reader;
    finished = true;
  })();
  return {
    file,
    requests,
    stats,
    estimatedTotal: () => {
      if (finished) return { count: stats.requests, exact: true };
      if (position.bytesRead === 0 || position.totalBytes === 0) return undefined;
      return { count: Math.round((stats.requests * position.totalBytes) / position.bytesRead), exact: false };
    },
  };
}

/**
 * Takes the first valid request, so a command can refuse a file with none before it creates anything.
 * Returns an iterable of every request, the taken one first.
 */
export async function firstRequestOrFail(source: RequestSource): Promise<AsyncIterable<InputRequest>> {
  const first = await source.requests.next();
  if (first.done) {
    throw new UsageError(`${source.file} has no valid requests: all ${source.stats.badLines} non-blank lines are bad (see above). Nothing was sent.`);
  }
  return (async function* () {
    try {
      yield first.value;
      for (let next = await source.requests.next(); !next.done; next = await source.requests.next()) yield next.value;
    } finally {
      // Stopped early (an error, Ctrl-C): close the file now rather than when the process ends.
      await source.requests.return?.();
    }
  })();
}

/** `--strict`: reads the whole file and stops at its first bad line, before anything is sent. */
async function checkWholeFile(ctx: CommandContext, file: string): Promise<void> {
  const position: ReadPosition = { bytesRead: 0, totalBytes: 0 };
  const stats: InputStats = { lines: 0, requests: 0, badLines: 0 };
  const progress = ctx.out.progress(() => checkingFrame(file, position, stats));
  try {
    const requests = readRequests(file, {
      models: ctx.globals.models,
      maxAddBytes: defaultLimits.maxAddBytes,
      onBadLine: (line, reason) => {
        throw new UsageError(`${file}:${line}: ${reason}\n--strict stops at the first bad line; nothing was sent. Fix the line (\`xai-batch check ${file}\` lists them all), or leave out --strict to skip bad lines.`);
      },
      position,
      stats,
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
    text: joinParts(`checking ${file} ${bar(fraction)}`, `${plural(stats.requests, "request")}`, stats.badLines > 0 && plural(stats.badLines, "bad line")),
    fields: { stage: "check", file, bytesRead: position.bytesRead, totalBytes: position.totalBytes, requests: stats.requests, badLines: stats.badLines },
  };
}
