import { InputError } from "../../core/errors.js";
import { toBatchRequest } from "../add-input.js";
import type { BatchRequest } from "../../core/internal/wire.js";

/** Whether a parsed JSON value has the shape of a batch line (a `custom_id`), before its request is read. */
function isBatchLine(row: unknown): row is { custom_id: unknown } {
  return row !== null && typeof row === "object" && !Array.isArray(row) && "custom_id" in row;
}

/**
 * The request of one parsed line of a batch input file, input number `index`: refused, with an InputError,
 * unless it is a batch line (`{"custom_id", "method", "url", "body"}`) whose request the normaliser takes
 * (against `models` when given). What every client-side check of a file's lines judges a line by: the
 * check before an upload (BatchLineReader) and `prepareRequests` with `fileFormat` (`xai-batch check
 * --as-file`).
 */
export function batchLineRequest(row: unknown, index: number, models: ReadonlySet<string> | undefined): BatchRequest {
  if (!isBatchLine(row)) {
    throw new InputError({
      index,
      reason: 'not a batch line: expected {"custom_id", "method", "url", "body"}',
      fix: "A batch input file holds only lines of xAI's batch file format",
    });
  }
  return toBatchRequest(row, index, models);
}

/** Why one line of a batch input file is refused: what xAI would cancel the whole batch over. */
export class BatchLineProblem extends Error {
  constructor(
    readonly reason: string,
    /** The request field at fault, when there is one. */
    readonly field?: string,
    /** More on the reason (the JSON parser's words), for messages that have room for it. */
    readonly detail?: string,
  ) {
    super(reason);
  }
}

/**
 * Reads the lines of one batch input file in order, as xAI loads them: each must be JSON, a batch line
 * whose request the normaliser takes (`batchLineRequest`), with a `custom_id` no earlier line used.
 * The library's check before an upload and the emulator's loading both read files through it, so the two
 * can never disagree about a line.
 */
export class BatchLineReader {
  private readonly firstLineOf = new Map<string, number>();

  constructor(private readonly models: ReadonlySet<string> | undefined) {}

  /** Requests read so far. */
  get requests(): number {
    return this.firstLineOf.size;
  }

  /** The request of line number `line` (from 1), or undefined for a blank line; throws BatchLineProblem. */
  read(text: string, line: number): BatchRequest | undefined {
    if (text.trim() === "") return undefined;
    let row: unknown;
    try {
      row = JSON.parse(text);
    } catch (error) {
      throw new BatchLineProblem("not valid JSON", undefined, (error as Error).message);
    }
    let request: BatchRequest;
    try {
      request = batchLineRequest(row, this.requests, this.models);
    } catch (error) {
      if (error instanceof InputError) throw new BatchLineProblem(error.reason, error.field);
      throw error;
    }
    const id = request.batchRequestId!;
    const first = this.firstLineOf.get(id);
    if (first !== undefined) throw new BatchLineProblem(`repeats the custom_id ${JSON.stringify(id)} of line ${first}`);
    this.firstLineOf.set(id, line);
    return request;
  }
}
