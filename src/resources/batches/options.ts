import type { CallOptions } from "../../core/call-options.js";
import type { InputError } from "../../core/errors.js";
import type { BatchRequestMetadata_State } from "../../core/internal/wire.js";
import type { AddProgress, SkippedRequest } from "../../views/add-progress.js";
import type { BatchView } from "../../views/batch.js";
import type { FileView, UploadProgress } from "../files.js";

// The options of client.batch's methods: each with its default, stated in TSDoc where it is declared.

/**
 * Options of the methods that make many calls (add, wait, list iteration): `timeoutMs` is each call's
 * deadline, `totalTimeoutMs` bounds the whole operation.
 */
export interface OperationOptions extends CallOptions {
  /** Bound on the whole operation in ms, every call and wait in it included; `0` means none. @default none */
  totalTimeoutMs?: number;
}

/** Paging options of every list method. */
export interface ListOptions extends OperationOptions {
  /** Items per page; the server's default is 100. */
  limit?: number;
  /** Where to resume: the `paginationToken` of a page you saved. @default the first page */
  paginationToken?: string;
}

/** Options of `listBatchRequests`. */
export interface ListBatchRequestsOptions extends ListOptions {
  /** Only requests in these states, e.g. `["failed", "cancelled"]`. @default every state */
  states?: readonly RequestState[];
}

/** A request's state, as a word or the wire enum. */
export type RequestState = "pending" | "succeeded" | "failed" | "cancelled" | BatchRequestMetadata_State;

/** Options of `create`. */
export interface CreateBatchOptions extends CallOptions {
  /** Build the batch from an uploaded JSONL file instead of adding requests. */
  inputFileId?: string;
}

/** Options of `createFromFile`. */
export interface CreateFromFileOptions extends CallOptions {
  /**
   * Read a file given by path first and refuse, naming the line, what xAI would refuse when it loads it
   * (it would cancel the whole batch): broken JSON, a line of another format, a bad request, a repeated id.
   * @default true
   */
  check?: boolean;
  /** The name the file is stored under. @default the path's base name (required for bytes and streams) */
  filename?: string;
  /** Lifetime of the stored file in seconds, 3600 to 2592000. @default xAI's default */
  expiresAfterS?: number;
  /** Called as the file goes out. */
  onUploadProgress?: (progress: UploadProgress) => void;
}

/** Options of `submit`: those of `add` (for `via: "add"`), and how the requests go in. */
export interface SubmitOptions extends AddOptions {
  /**
   * "add": AddBatchRequests calls, paced to the team's add quota. "file": the requests written as one JSONL
   * file of xAI's batch line format, uploaded, and the batch created from it: one upload instead of many
   * add calls, not bound by the add quota (up to `limits.maxFileBytes`). @default "add"
   */
  via?: "add" | "file";
  /** With `via: "file"`: lifetime of the stored file in seconds. @default xAI's default */
  expiresAfterS?: number;
  /** With `via: "file"`: called as the file goes out. */
  onUploadProgress?: (progress: UploadProgress) => void;
}

/** What `submit` did. */
export interface SubmitResult {
  /** The new batch (for `via: "file"` it is loading its file: `wait` handles that). */
  readonly batch: BatchView;
  readonly via: "add" | "file";
  /** Requests put in the batch (sent as calls, or written to the file). */
  readonly requests: number;
  /** The uploaded file, with `via: "file"`. */
  readonly file: FileView | undefined;
  /** The add's summary, with `via: "add"`. */
  readonly add: AddResult | undefined;
}

/** Options of `add`. `totalTimeoutMs` and `signal` bound the whole add; `timeoutMs` each call it makes. */
export interface AddOptions extends OperationOptions {
  /**
   * Most requests in one AddBatchRequests call. xAI limits a call by size only, and add calls are the
   * team's scarcest quota, so by default calls are cut by `limits.maxAddBytes` alone. @default no cap
   */
  maxRequestsPerCall?: number;
  /** AddBatchRequests calls in flight at once. @default 4 */
  concurrency?: number;
  /**
   * Encoded bytes of the calls in flight at once; each holds its requests and, while it is written, a copy
   * of them, so this bounds the add's memory (plus the next call, read ahead). A larger call goes alone.
   * @default twice `limits.maxAddBytes` (two full calls)
   */
  maxBytesInFlight?: number;
  /**
   * Give every request without a `batchRequestId` one derived from its content, so a retried or re-run add
   * never adds it twice. Turn off only if ids must stay unset; exactly-once is then not guaranteed. @default true
   */
  autoIds?: boolean;
  /** A request that alone exceeds `limits.maxAddBytes`: "error" stops the add; "skip" reports it to `onSkip` and goes on. @default "error" */
  oversize?: "error" | "skip";
  /** Called after every call with where the add stands. */
  onProgress?: (progress: AddProgress) => void;
  /** Called for each request skipped for size (with `oversize: "skip"`). */
  onSkip?: (skipped: SkippedRequest) => void;
  /**
   * An invalid request (bad shape, no model, an unknown model, a repeated id, ...): "error" stops the add
   * with its InputError; "skip" reports it to `onInvalid` and adds the rest. @default "error"
   */
  invalid?: "error" | "skip";
  /** Called for each invalid request left out (with `invalid: "skip"`), with the structured error and the input as given. */
  onInvalid?: (error: InputError, input: unknown) => void;
}

/** Options of `wait`. `totalTimeoutMs` and `signal` bound the whole wait (by default it waits as long as it takes); `timeoutMs` each poll. */
export interface WaitOptions extends OperationOptions {
  /** First interval between polls; later ones grow by half. @default 1_000 */
  pollIntervalMs?: number;
  /** Longest interval between polls. @default 30_000 */
  maxPollIntervalMs?: number;
  /** Called with the batch whenever its counts change. */
  onProgress?: (batch: BatchView) => void;
}

/** What `add` did. */
export type AddResult = AddProgress;
