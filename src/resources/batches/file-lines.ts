import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { InputError } from "../../core/errors.js";
import { BatchLineProblem, BatchLineReader } from "../../requests/internal/batch-lines.js";
import { toFileLine, type FileLine } from "../../requests/file-line.js";
import { prepareRequests } from "./prepare.js";
import type { AddInput } from "../../requests/add-input.js";

/** What writing a batch file produced. */
export interface WrittenLines {
  readonly requests: number;
  readonly bytes: number;
  /** A hex digest of the content, for a file name that is the same for the same requests. */
  readonly digest: string;
}

/**
 * Writes requests as a JSONL file of xAI's batch line format at `path`, each validated and given the id
 * `add` would give it (so a file batch and an add of the same input hold the same ids). Stops with an
 * InputError before the file outgrows `maxBytes`; honours the write stream's backpressure, so memory
 * holds a line at a time.
 */
export async function writeFileLines(
  requests: Iterable<AddInput> | AsyncIterable<AddInput>,
  path: string,
  options: {
    models: ReadonlySet<string> | undefined;
    maxBytes: number;
    /** Told of each request that is invalid or has no file line form, which is then left out; undefined stops at the first. */
    onInvalid?: ((error: InputError, input: unknown) => void) | undefined;
  },
): Promise<WrittenLines> {
  const out = createWriteStream(path);
  const hash = createHash("sha256");
  let count = 0;
  let bytes = 0;
  try {
    const onInvalid = options.onInvalid;
    const skip = onInvalid === undefined ? {} : { invalid: "skip" as const, onInvalid };
    for await (const prepared of prepareRequests(requests, {
      models: options.models === undefined ? "any" : [...options.models],
      ...skip,
    })) {
      let fileLine: FileLine;
      try {
        fileLine = toFileLine(prepared.request);
      } catch (error) {
        if (!(error instanceof InputError) || onInvalid === undefined) throw error;
        onInvalid(
          new InputError({ index: prepared.index, batchRequestId: prepared.batchRequestId, reason: error.message }),
          prepared.request,
        );
        continue;
      }
      const line = Buffer.from(`${JSON.stringify(fileLine)}\n`);
      bytes += line.length;
      if (bytes > options.maxBytes) {
        throw new InputError(
          `The requests make a file of over ${options.maxBytes} bytes, the most xAI accepts; split them into several batches, or add them with \`via: "add"\`.`,
        );
      }
      hash.update(line);
      count++;
      if (!out.write(line)) await once(out, "drain");
    }
    out.end();
    await once(out, "finish");
  } catch (error) {
    out.destroy();
    throw error;
  }
  return { requests: count, bytes, digest: hash.digest("hex") };
}

/**
 * Reads a JSONL file of xAI's batch line format and refuses, naming the line, what xAI would refuse when
 * it loads it (which would cancel the whole batch): a line that is not JSON, not a batch line, a request
 * the normaliser refuses (a model the team cannot batch, a bad parameter), or a repeated `custom_id`.
 * Returns the number of requests.
 */
export async function checkFileLines(path: string, models: ReadonlySet<string> | undefined): Promise<number> {
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  const reader = new BatchLineReader(models);
  let number = 0;
  for await (const text of lines) {
    number++;
    try {
      reader.read(text, number);
    } catch (error) {
      if (!(error instanceof BatchLineProblem)) throw error;
      const reason = error.detail === undefined ? error.reason : `${error.reason} (${error.detail})`;
      throw new InputError({
        ...(error.field === undefined ? {} : { field: error.field }),
        reason: `${path} line ${number}: ${reason}; xAI would cancel the batch over it`,
        fix: "Fix the line and try again",
      });
    }
  }
  if (reader.requests === 0) throw new InputError(`${path} holds no requests; put one batch line per line.`);
  return reader.requests;
}
