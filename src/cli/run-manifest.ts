import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { readStateFile, writeStateFile } from "./state-file.js";
import type { ResultsCursor } from "./checkpoint.js";
import { UsageError } from "./usage-error.js";

/** One batch of a run: the requests of one stretch of the input (a shard). */
export interface ShardState {
  readonly batchId: string;
  /** Every request of its stretch of the input is in the batch. */
  readonly added: boolean;
  /** Bad lines of its stretch, known once it is added. */
  readonly badLines?: number;
}

/** Where a run stands: what it does next when it is run again. */
export type RunPhase = "adding" | "processing" | "downloading" | "done";

/** What `run` keeps beside its output, `OUT.run.json`, for as long as the output is there. */
export interface RunState {
  readonly version: 1;
  /** The input file, as an absolute path. */
  readonly input: string;
  /** sha256 of the input's bytes: a changed input is a different run. Null for an input that is not a regular file (a pipe, a device). */
  readonly fingerprint: string | null;
  /** Requests per batch the input was split by; fixed once the run started. */
  readonly maxPerBatch: number;
  readonly phase: RunPhase;
  /** The batches, in input order. */
  readonly batches: readonly ShardState[];
  /** Set once a page of results has been written. */
  readonly results?: ResultsCursor;
  /** Set when the run is done: what the output file holds. */
  readonly done?: { readonly written: number; readonly bytes: number };
}

/**
 * The manifest of a run, written atomically (temp file, then rename) at every step that creates or
 * finishes something, so a re-run of the same command never creates a batch that already exists: it
 * resumes an unfinished run and only re-reports a finished one.
 */
export class RunManifest {
  readonly path: string;

  constructor(outPath: string) {
    this.path = `${outPath}.run.json`;
  }

  /** The saved state, or undefined when there is none. */
  async load(): Promise<RunState | undefined> {
    const text = await readStateFile(this.path);
    if (text === undefined) return undefined;
    try {
      const state = JSON.parse(text) as RunState;
      if (state.version !== 1 || !Array.isArray(state.batches) || (typeof state.fingerprint !== "string" && state.fingerprint !== null))
        throw new Error("not a manifest");
      return state;
    } catch {
      throw new UsageError(`${this.path} is not a run manifest this command wrote; pass --new to start a fresh run, or delete it.`);
    }
  }

  async save(state: RunState): Promise<void> {
    await writeStateFile(this.path, state);
  }
}

/** "sha256:<hex>" of a file's bytes, streamed; null for what is not a regular file, which may never end or read the same twice. */
export async function fingerprintFile(path: string): Promise<string | null> {
  if (!(await stat(path)).isFile()) return null;
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return `sha256:${hash.digest("hex")}`;
}
