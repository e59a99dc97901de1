import { readFileSync } from "node:fs";
import { toBinary } from "@bufbuild/protobuf";
import { BatchLineProblem, BatchLineReader } from "../requests/internal/batch-lines.js";
import { BatchRequestSchema, type BatchRequest } from "../core/internal/wire.js";
import { readRequest } from "./encoded.js";
import type { FileStore } from "./file-store.js";
import { isOpen, type AcceptedRequest, type BatchRecord, type Store } from "./store.js";
import type { Timers } from "./timers.js";
import { acceptRequests } from "./validation.js";

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
 * line (blank lines skipped), into BatchRequests with `custom_id` as their id, refusing the first line xAI
 * would refuse: not JSON, not a batch line, a request that does not convert, a model batches do not serve,
 * a repeated custom_id.
 */
export function readInputFile(content: string, models: ReadonlySet<string>): BatchRequest[] {
  const requests: BatchRequest[] = [];
  // The model check is the emulator's own, in the words of xAI's refusal; the rest is the library's reader.
  const reader = new BatchLineReader(undefined);
  content.split(/\r?\n/).forEach((text, index) => {
    const line = index + 1;
    let request: BatchRequest | undefined;
    try {
      request = reader.read(text, line);
    } catch (error) {
      throw new FileLineError(line, error instanceof BatchLineProblem ? error.reason : String(error));
    }
    if (request === undefined) return;
    const model = request.request.value?.model ?? "";
    if (!models.has(model)) throw new FileLineError(line, `model ${JSON.stringify(model)} is not available for batch processing`);
    requests.push(request);
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
      const read = readInputFile(this.content(batch.team, fileId), models).map((request) => readRequest(request, toBinary(BatchRequestSchema, request)));
      requests = acceptRequests(read, batch.requestsById, models);
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
