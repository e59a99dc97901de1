import { rm } from "node:fs/promises";
import { readStateFile, writeStateFile } from "./state-file.js";
import { UsageError } from "./usage-error.js";

/** Where a results download stands: enough to continue it after a crash. */
export interface ResultsCursor {
  /** Which of the batches being downloaded into one file the token belongs to (from 0). @default 0 */
  readonly batch?: number;
  /** The token of the page after the last one whose lines are in the output file; undefined: that batch's first page. */
  readonly paginationToken: string | undefined;
  /** Length of the output file after that page; anything beyond it is a torn write and is cut off. */
  readonly bytes: number;
  /** Results written so far, and how many of them failed. */
  readonly written: number;
  readonly failed: number;
}

/** What is saved beside an output file while a job that writes it is unfinished. */
export interface CheckpointData {
  /** The batch the output belongs to. */
  readonly batchId: string;
  /** `run` only: the input file it adds, so a re-run reuses the batch instead of creating another. */
  readonly input?: string;
  /** `run` only: every request of `input` is in the batch, so a re-run need not read it again. */
  readonly added?: boolean;
  /** `run` only: bad lines of `input` that were skipped, for the summary of a resumed run. */
  readonly badLines?: number;
  /** Whether only failed results are written; a resume must keep to it. */
  readonly failedOnly?: boolean;
  /** Set once a page of results has been written. */
  readonly results?: ResultsCursor;
}

/**
 * A small JSON file beside an output, `OUT.checkpoint`, written atomically (temp file, then rename) so a
 * crash leaves the old or the new version, never half of one. It exists only while a job is unfinished.
 */
export class Checkpoint {
  readonly path: string;

  constructor(outPath: string) {
    this.path = `${outPath}.checkpoint`;
  }

  /** The saved state, or undefined when there is none. */
  async load(): Promise<CheckpointData | undefined> {
    const text = await readStateFile(this.path);
    if (text === undefined) return undefined;
    try {
      const data = JSON.parse(text) as CheckpointData;
      if (typeof data.batchId !== "string" || data.batchId === "") throw new Error("no batchId");
      return data;
    } catch {
      throw new UsageError(`${this.path} is not a checkpoint this command wrote; delete it to start over.`);
    }
  }

  async save(data: CheckpointData): Promise<void> {
    await writeStateFile(this.path, data);
  }

  /** Deletes the checkpoint: the job is done. */
  async remove(): Promise<void> {
    await rm(this.path, { force: true });
  }
}
