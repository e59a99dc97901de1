import { readFileSync } from "node:fs";
import { toBinary } from "@bufbuild/protobuf";
import { BatchRequestSchema, type BatchRequest } from "../core/internal/wire.js";
import { readRequest, type ReadRequest } from "./encoded.js";
import type { FileStore } from "./file-store.js";
import { LineRefusal, readFileLine } from "./file-lines.js";
import { isOpen, type AcceptedRequest, type BatchRecord, type Store } from "./store.js";
import type { Timers } from "./timers.js";
import { acceptRequests, requestFault } from "./validation.js";

/** A line of an input file that xAI would refuse, with its number (from 1). */
export class FileLineError extends Error {
  constructor(
    readonly line: number,
    reason: string,
  ) {
    super(`line ${line}: ${reason}`);
  }
}

/**
 * Reads a batch input file in xAI's batch line format, one `{"custom_id", "method", "url", "body"}` per
 * line (blank lines skipped), into requests with `custom_id` as their id, refusing the first line xAI
 * would refuse: not JSON, not a batch line, a body that is not its endpoint's request, a repeated
 * custom_id, a model batches do not serve, a chat completion without messages.
 */
export function readInputFile(content: string, models: ReadonlySet<string>): ReadRequest[] {
  const requests: ReadRequest[] = [];
  const firstLineOf = new Map<string, number>();
  content.split(/\r?\n/).forEach((text, index) => {
    const line = index + 1;
    let request: BatchRequest | undefined;
    try {
      request = readFileLine(text);
    } catch (error) {
      throw error instanceof LineRefusal ? new FileLineError(line, error.message) : error;
    }
    if (request === undefined) return;
    const id = request.batchRequestId!;
    const first = firstLineOf.get(id);
    if (first !== undefined) throw new FileLineError(line, `repeats the custom_id ${JSON.stringify(id)} of line ${first}`);
    firstLineOf.set(id, line);
    const read = readRequest(request, toBinary(BatchRequestSchema, request));
    const fault = requestFault(read, models);
    if (fault?.kind === "model")
      throw new FileLineError(line, `model ${JSON.stringify(fault.model)} is not available for batch processing`);
    if (fault?.kind === "no messages")
      throw new FileLineError(line, "body.messages is empty: a chat completion needs at least one message");
    requests.push(read);
  });
  return requests;
}

/** What loading input files needs from the rest of the emulator. */
export interface InputFileLoaderContext {
  store: Store;
  /** Files given as options: id to path. */
  files: Readonly<Record<string, string>>;
  /** Files teams uploaded through xai_api.Files. */
  uploads: FileStore;
  models: ReadonlySet<string>;
  delayMs: number;
  timers: Timers;
  now: () => number;
  onLoaded: (batch: BatchRecord, requestCount: number) => void;
}

/**
 * Fills file-backed batches `delayMs` after their creation, as xAI does in the background: until then
 * the batch shows zero requests. A file that cannot be read or has a line xAI would refuse cancels the
 * batch, with `cancel_by_xai_message` "JSONL file validation failed: line N: ...", the way xAI reports it.
 */
export class InputFileLoader {
  constructor(private readonly context: InputFileLoaderContext) {}

  /** Whether the team can create a batch from this file: one given as an option, or one it uploaded. */
  knows(team: string, fileId: string): boolean {
    return Object.hasOwn(this.context.files, fileId) || this.context.uploads.get(team, fileId) !== undefined;
  }

  /** Loads the batch's file when its delay has passed (at once for a batch restored after that). */
  schedule(batch: BatchRecord): void {
    const { delayMs, now, timers } = this.context;
    timers.after(Math.max(0, batch.createTimeMs + delayMs - now()), () => this.load(batch));
  }

  // Synchronous on purpose: nothing can stop the emulator between reading the file and recording it.
  private load(batch: BatchRecord): void {
    const { store, models, now, onLoaded } = this.context;
    const fileId = batch.inputFileId;
    if (fileId === undefined || batch.fileLoaded || !isOpen(batch, now())) return;
    let requests: AcceptedRequest[];
    try {
      requests = acceptRequests(readInputFile(this.content(batch.team, fileId), models), batch.requestsById, models);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      store.commit({ type: "batchCancelled", batchId: batch.id, timeMs: now(), byXaiMessage: `JSONL file validation failed: ${reason}` });
      return;
    }
    store.commit({ type: "requestsAdded", batchId: batch.id, timeMs: now(), fromFile: true, requests });
    onLoaded(batch, requests.length);
  }

  private content(team: string, fileId: string): string {
    const { files, uploads } = this.context;
    if (Object.hasOwn(files, fileId)) return readFileSync(files[fileId]!, "utf8");
    const uploaded = uploads.get(team, fileId);
    if (uploaded === undefined) throw new Error(`the file ${JSON.stringify(fileId)} no longer exists (deleted or expired)`);
    return uploaded.bytes.toString("utf8");
  }
}
