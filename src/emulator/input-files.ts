import { readFileSync } from "node:fs";
import { fromJsonString } from "@bufbuild/protobuf";
import { BatchRequestSchema, type BatchRequest } from "../wire.js";
import { isOpen, type BatchRecord, type Store } from "./store.js";
import type { Timers } from "./timers.js";
import { prepareRequests } from "./validation.js";

/** Reads a JSONL input file: one BatchRequest per line in protobuf JSON; blank lines are skipped. */
export function readInputFile(path: string): BatchRequest[] {
  return readFileSync(path, "utf8")
    .split(/\r?\n/)
    .flatMap((line, index) => {
      if (line.trim() === "") return [];
      try {
        return [fromJsonString(BatchRequestSchema, line)];
      } catch (error) {
        throw new Error(`line ${index + 1}: ${error instanceof Error ? error.message : String(error)}`);
      }
    });
}

/** What loading input files needs from the rest of the emulator. */
export interface InputFileLoaderContext {
  store: Store;
  files: Readonly<Record<string, string>>;
  models: ReadonlySet<string>;
  delayMs: number;
  timers: Timers;
  now: () => number;
  onLoaded: (batch: BatchRecord, requestCount: number) => void;
}

/**
 * Fills file-backed batches `delayMs` after their creation, as xAI does in the background: until then
 * the batch shows zero requests. A file that cannot be read or holds an invalid request cancels the
 * batch with the reason in `cancel_by_xai_message`, the way xAI reports such a batch.
 */
export class InputFileLoader {
  constructor(private readonly context: InputFileLoaderContext) {}

  /** Loads the batch's file when its delay has passed (at once for a batch restored after that). */
  schedule(batch: BatchRecord): void {
    const { delayMs, now, timers } = this.context;
    timers.after(Math.max(0, batch.createTimeMs + delayMs - now()), () => this.load(batch));
  }

  // Synchronous on purpose: nothing can stop the emulator between reading the file and recording it.
  private load(batch: BatchRecord): void {
    const { store, files, models, now, onLoaded } = this.context;
    const fileId = batch.inputFileId;
    if (fileId === undefined || batch.fileLoaded || !isOpen(batch, now())) return;
    let requests: readonly BatchRequest[];
    try {
      if (!Object.hasOwn(files, fileId)) throw new Error("the file is not known to this server");
      requests = prepareRequests(readInputFile(files[fileId]!), batch.requestsById, models);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      store.commit({ type: "batchCancelled", batchId: batch.id, timeMs: now(), byXaiMessage: `input file "${fileId}" was rejected: ${reason}` });
      return;
    }
    store.commit({ type: "requestsAdded", batchId: batch.id, timeMs: now(), fromFile: true, requests });
    onLoaded(batch, requests.length);
  }
}
