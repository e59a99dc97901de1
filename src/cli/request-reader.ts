import type { JsonObject, JsonValue } from "@bufbuild/protobuf";
import { prepareRequests, type InputError, type PreparedRequest } from "../index.js";
import { defaultMaxLineBytes, readLineGroups, type Line, type ReadPosition } from "./jsonl-reader.js";
import { UsageError } from "./usage-error.js";

/** A non-blank line of an input file that holds a JSON object: a request for the library to read. */
export interface InputLine {
  /** Its line in the file, from 1. */
  readonly line: number;
  /** The row as written (without line ending), e.g. to join results back to it. */
  readonly text: string;
  /** The parsed row, as `client.batch.add` takes it. */
  readonly row: JsonObject;
}

/** Counts of a read, updated as it goes. */
export interface InputStats {
  /** Lines read, blank ones included. */
  lines: number;
  /** Valid requests. */
  requests: number;
  /** Lines reported as bad. */
  badLines: number;
}

/** How to read a request file. */
export interface RequestReaderOptions {
  /** Told about each line that is not a JSON object (or too long, or not UTF-8); throw from it to stop at the first. */
  readonly onBadLine: (line: number, reason: string) => void;
  /** Updated with the bytes read, for progress. */
  readonly position?: ReadPosition;
  /** Updated with the counts. */
  readonly stats?: InputStats;
  /** Ends the read, checked at every chunk of the file. */
  readonly signal?: AbortSignal;
}

/**
 * The JSON rows of a JSONL file, streamed, in file order. What the file itself gets wrong (a line too
 * long, not UTF-8, not JSON, not an object) goes to `onBadLine`; what is wrong with a row as a request
 * is the library's to say, when the row is handed to `add` or `prepareRequests`. A file without any
 * non-blank line is a UsageError.
 */
export async function* readRequestLines(path: string, options: RequestReaderOptions): AsyncGenerator<InputLine> {
  const reader = new RequestLineReader(path, options);
  try {
    for (;;) {
      const input = reader.take();
      if (input !== undefined) yield input;
      else if (!(await reader.more())) return;
    }
  } finally {
    await reader.close();
  }
}

/**
 * `readRequestLines` for a consumer that takes rows in a loop of its own: `take` gives the next row of the
 * chunk read so far without an await, `more` reads the next chunk. Each line is judged (counted, reported
 * if bad, parsed) when it is taken, as the generator does; an await per row costs more than parsing a
 * short one.
 */
export class RequestLineReader {
  private readonly stats: InputStats;
  private readonly groups: AsyncGenerator<Line[]>;
  private lines: Line[] = [];
  private at = 0;
  private nonBlank = 0;
  private ended = false;

  constructor(
    private readonly path: string,
    private readonly options: RequestReaderOptions,
  ) {
    this.stats = options.stats ?? { lines: 0, requests: 0, badLines: 0 };
    this.groups = readLineGroups(path, options.position, defaultMaxLineBytes, options.signal);
  }

  /** The next row among the lines read so far; undefined when they are used up (then call `more`). */
  take(): InputLine | undefined {
    while (this.at < this.lines.length) {
      const input = this.judge(this.lines[this.at++]!);
      if (input !== undefined) return input;
    }
    return undefined;
  }

  /** Reads the next chunk of lines; false at the end of the file, where a file of no request is a UsageError. */
  async more(): Promise<boolean> {
    if (this.ended) return false;
    const next = await this.groups.next();
    if (next.done === true) {
      this.ended = true;
      const { lines } = this.stats;
      if (this.nonBlank === 0)
        throw new UsageError(
          `${this.path} has no requests: it is empty${lines > 0 ? " but for blank lines" : ""}. Put one JSON request per line.`,
        );
      return false;
    }
    this.lines = next.value;
    this.at = 0;
    return true;
  }

  /** Closes the file (early, when the consumer stops before the end). */
  async close(): Promise<void> {
    await this.groups.return(undefined);
  }

  private judge(line: Line): InputLine | undefined {
    const { position } = this.options;
    if (position !== undefined) position.bytesRead += line.size;
    this.stats.lines++;
    if (line.kind === "too-long") {
      this.nonBlank++;
      this.bad(
        line.number,
        `the line is over ${line.size - 1} bytes long (the rest of it was not read); a request must fit in one AddBatchRequests call, so it cannot be sent. Pass large media by URL.`,
      );
      return undefined;
    }
    if (line.kind === "not-utf8") {
      this.nonBlank++;
      this.bad(line.number, "the line is not valid UTF-8; save the file as UTF-8");
      return undefined;
    }
    if (line.text.trim() === "") return undefined;
    this.nonBlank++;
    let row: JsonValue;
    try {
      row = JSON.parse(line.text) as JsonValue;
    } catch (error) {
      this.bad(line.number, `not valid JSON: ${(error as Error).message}`);
      return undefined;
    }
    if (typeof row !== "object" || row === null || Array.isArray(row)) {
      this.bad(line.number, `expected a JSON object, got ${row === null ? "null" : Array.isArray(row) ? "an array" : `a ${typeof row}`}`);
      return undefined;
    }
    return { line: line.number, text: line.text, row };
  }

  private bad(line: number, reason: string): void {
    this.stats.badLines++;
    this.options.onBadLine(line, reason);
  }
}

/** A library InputError about one row, as a bad line's reason: the line number already says where. */
export function rowProblem(error: InputError): string {
  const id = error.batchRequestId === undefined ? "" : `(id ${JSON.stringify(error.batchRequestId)}) `;
  const field = error.field === undefined ? "" : `\`${error.field}\` `;
  return `${id}${field}${error.reason}${error.fix === undefined ? "" : `. ${error.fix}`}`;
}

/** A valid request of a file, as `add` would send it, with the line it came from. */
export interface PreparedLine extends InputLine {
  readonly prepared: PreparedRequest;
}

/** Options of `prepareLines`: those of `readRequestLines`, plus the models requests may name. */
export interface PrepareLinesOptions extends RequestReaderOptions {
  /** Batch models; undefined accepts every model. */
  readonly models: ReadonlySet<string> | undefined;
  /** Most requests in one AddBatchRequests call, for planning. */
  readonly maxRequestsPerCall?: number;
  /** Largest AddBatchRequests call in bytes; a request that cannot fit in one alone is a bad line. @default 25_000_000 */
  readonly maxAddBytes?: number;
  /**
   * Only xAI's batch file format, as an upload must be: a row of any other form is a bad line.
   * @default false (every form `add` takes)
   */
  readonly fileFormat?: boolean;
}

/**
 * The valid requests of a file as the library reads them (`prepareRequests`: the same normaliser, ids and
 * checks as `add`), each with its line; every bad line, the file's or the library's, goes to `onBadLine`.
 */
export async function* prepareLines(path: string, options: PrepareLinesOptions): AsyncGenerator<PreparedLine> {
  const stats = options.stats ?? { lines: 0, requests: 0, badLines: 0 };
  const waiting = new Map<number, InputLine>();
  let fed = 0;
  // The file's own bad lines are met as it is read, ahead of the library's verdict on the rows before
  // them; they are held until then, so every bad line is reported in file order.
  const held: { readonly before: number; readonly line: number; readonly reason: string }[] = [];
  const release = (upTo: number) => {
    while (held.length > 0 && held[0]!.before <= upTo) {
      const { line, reason } = held.shift()!;
      options.onBadLine(line, reason);
    }
  };
  const rows = (async function* () {
    const onBadLine = (line: number, reason: string) => {
      held.push({ before: fed, line, reason });
      // Nothing the library still has to judge comes before it: say it now (an endless first line, or
      // `--strict`, must not wait for a verdict that never comes).
      if (waiting.size === 0) release(Infinity);
    };
    for await (const input of readRequestLines(path, { ...options, onBadLine, stats })) {
      waiting.set(fed++, input);
      yield input.row;
    }
  })();
  const prepared = prepareRequests(rows, {
    models: options.models === undefined ? "any" : [...options.models],
    maxRequestsPerCall: options.maxRequestsPerCall,
    maxAddBytes: options.maxAddBytes,
    fileFormat: options.fileFormat,
    invalid: "skip",
    onInvalid: (error) => {
      release(error.index!);
      const input = waiting.get(error.index!)!;
      waiting.delete(error.index!);
      stats.badLines++;
      options.onBadLine(input.line, rowProblem(error));
    },
  });
  for await (const request of prepared) {
    release(request.index);
    const input = waiting.get(request.index)!;
    waiting.delete(request.index);
    stats.requests++;
    yield { ...input, prepared: request };
  }
  release(Infinity);
}
