import { InputError } from "../errors.js";
import { ChunkPlanner, envelopeSize } from "../internal/chunking.js";
import { RequestEncoder } from "../internal/encoded-request.js";
import type { BatchRequest } from "../wire.js";
import { RowError } from "./compact-form.js";
import { defaultMaxLineBytes, readLines, type ReadPosition } from "./jsonl-reader.js";
import { parseRequestLine } from "./request-line.js";
import { UsageError } from "./usage-error.js";

/** A valid request of an input file, with the id it is added under. */
export interface InputRequest {
  /** Its line in the file, from 1. */
  readonly line: number;
  /** The row as written (without line ending), e.g. to join results back to it. */
  readonly text: string;
  /** The batch_request_id it is sent with: its own, or one derived from its content. */
  readonly id: string;
  /** Whether `id` was derived from the content because the row had none. */
  readonly autoId: boolean;
  /** The request, with `batchRequestId` set to `id`. */
  readonly request: BatchRequest;
  /** Its encoded size on the wire. */
  readonly encodedBytes: number;
}

/** Counts of a read, updated as it goes. */
export interface InputStats {
  /** Lines read, blank ones included. */
  lines: number;
  /** Valid requests yielded. */
  requests: number;
  /** Lines reported to `onBadLine`. */
  badLines: number;
}

/** How to read a request file. */
export interface RequestReaderOptions {
  /** Batch models; a request for any other is a bad line. Undefined accepts every model. */
  readonly models: ReadonlySet<string> | undefined;
  /** Largest AddBatchRequests call in bytes; a request that cannot fit in one alone is a bad line. */
  readonly maxAddBytes: number;
  /** Told about each line that is not a valid request; throw from it to stop at the first. */
  readonly onBadLine: (line: number, reason: string) => void;
  /** Updated with the bytes read, for progress. */
  readonly position?: ReadPosition;
  /** Updated with the counts. */
  readonly stats?: InputStats;
  /** Ends the read, checked at every chunk of the file. */
  readonly signal?: AbortSignal;
}

/**
 * Batch ids are far shorter; sizing every call as if its batch id were this long keeps the check valid
 * for any batch the requests are later added to.
 */
const longestBatchId = "x".repeat(128);

/**
 * The valid requests of a JSONL file, streamed, in file order. Each bad line (broken JSON, wrong types,
 * an unknown model, a repeated id, too large) goes to `onBadLine` with its number and reason, and
 * reading goes on. Rows without an id get the id `client.batch.add` would give them, derived from their
 * content, so the same file gives the same ids in every run. A file without any non-blank line is a
 * UsageError.
 */
export async function* readRequests(path: string, options: RequestReaderOptions): AsyncGenerator<InputRequest> {
  const stats = options.stats ?? { lines: 0, requests: 0, badLines: 0 };
  const encoder = new RequestEncoder(options.models, true);
  const firstLineOfId = new Map<string, number>();
  const planner = new ChunkPlanner({ maxBytes: options.maxAddBytes, maxRequests: 1 }, envelopeSize(longestBatchId));
  let nonBlank = 0;
  const bad = (line: number, reason: string) => {
    stats.badLines++;
    options.onBadLine(line, reason);
  };
  for await (const line of readLines(path, options.position, defaultMaxLineBytes, options.signal)) {
    stats.lines++;
    if (line.kind === "too-long") {
      nonBlank++;
      bad(line.number, `the line is over ${line.size - 1} bytes long (the rest of it was not read); a request must encode to at most ${options.maxAddBytes} bytes (one AddBatchRequests call), so it cannot be sent. Pass large media by URL.`);
      continue;
    }
    if (line.kind === "not-utf8") {
      nonBlank++;
      bad(line.number, "the line is not valid UTF-8; save the file as UTF-8");
      continue;
    }
    if (line.text.trim() === "") continue;
    nonBlank++;
    const read = readOne(line.number, line.text, encoder, firstLineOfId, planner, options.maxAddBytes);
    if (typeof read === "string") {
      bad(line.number, read);
      continue;
    }
    stats.requests++;
    yield read;
  }
  if (nonBlank === 0) throw new UsageError(`${path} has no requests: it is empty${stats.lines > 0 ? " but for blank lines" : ""}. Put one JSON request per line.`);
}

/** The request of one non-blank line, or why it is not one. */
function readOne(
  line: number,
  text: string,
  encoder: RequestEncoder,
  firstLineOfId: Map<string, number>,
  planner: ChunkPlanner,
  maxAddBytes: number,
): InputRequest | string {
  let request: BatchRequest;
  try {
    request = parseRequestLine(text);
  } catch (error) {
    if (error instanceof RowError) return error.message;
    throw error;
  }
  const ownId = request.batchRequestId;
  const first = ownId === undefined ? undefined : firstLineOfId.get(ownId);
  if (first !== undefined) return `repeats the id ${JSON.stringify(ownId)} of line ${first}; ids must be unique within a batch`;
  let encoded;
  try {
    encoded = encoder.encode(request, line);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    // The library names the request by its index and points at its Client option; here the line number
    // says where the request is, and the flag is what to change.
    return error.message.replace(`request #${line}`, "the request").replace("pass it in the Client option `batchModels` (or \"any\")", "add it with --models (or --models any)");
  }
  if (!planner.fitsAlone(encoded.bytes.length)) {
    return `the request encodes to ${encoded.bytes.length} bytes; one AddBatchRequests call may carry at most ${maxAddBytes} bytes. Pass large media by URL.`;
  }
  const id = encoded.id!;
  if (ownId !== undefined) firstLineOfId.set(ownId, line);
  request.batchRequestId = id;
  return { line, text, id, autoId: ownId === undefined, request, encodedBytes: encoded.bytes.length };
}
