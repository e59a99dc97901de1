import { toJson, type JsonObject } from "@bufbuild/protobuf";
import { inspect } from "node:util";
import { createClient, type Client as ConnectClient, type Transport } from "@connectrpc/connect";
import type { AddProgress } from "../../views/add-progress.js";
import { viewBatch, type BatchView } from "../../views/batch.js";
import type { CallOptions } from "../../core/call-options.js";
import { InputError } from "../../core/errors.js";
import { runAdd, type AddTransport } from "../../internal/add/run-add.js";
import { ChatEncoder } from "../../internal/wire/chat-encoder.js";
import { callOptionKeys, callUnary, checkCallOptions, type CallContext, type CallHooks } from "../../internal/call/call.js";
import { Deadline } from "../../internal/call/deadline.js";
import { inOperation, startOperation, type OpenOperation } from "../../internal/call/telemetry.js";
import { explainNotFound, RecentBatches } from "../../internal/recent-batches.js";
import { checkInteger, checkKnownKeys, checkNonEmptyString, describeValue } from "../../core/internal/validate.js";
import { withRaw } from "../../core/internal/view-support.js";
import { pollUntilDone } from "../../internal/wait.js";
import { defaultMaxEmptyPages, nextToken, itemCount, UnbuiltPage, type FetchedPage } from "../../core/internal/paging.js";
import { PagedList, type Page } from "../../core/pagination.js";
import { builtRequest } from "../../requests/internal/built-request.js";
import { toBatchRequest, type AddInput } from "../../requests/add-input.js";
import { viewRequestMetadata, type RequestMetadataView } from "../../views/request-metadata.js";
import { viewResultBytes } from "../../internal/wire/result-reader.js";
import { viewDecodedResult } from "../../internal/wire/decoded-result.js";
import { fastPath } from "../../internal/wire/fast-path.js";
import { viewResult } from "../../views/view-result.js";
import type { ResultView } from "../../views/results.js";
import type { FilesResource, UploadOptions, UploadProgress, UploadSource } from "../files.js";
import { checkFileLines, writeFileLines } from "./file-lines.js";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RpcName } from "../../core/timeouts.js";
import type {
  AddOptions,
  AddResult,
  CreateBatchOptions,
  CreateFromFileOptions,
  ListBatchRequestsOptions,
  ListOptions,
  OperationOptions,
  RequestState,
  SubmitOptions,
  SubmitResult,
  WaitOptions,
} from "./options.js";
import type { BatchesPage, BatchRequestResult, BatchRequestsPage, BatchResultsPage } from "./pages.js";
import {
  BatchMgmt,
  BatchRequestMetadata_State,
  BatchRequestSchema,
  type Batch,
  PreencodedAddBatchRequestsRequestSchema,
  PreencodedListBatchResultsResponseSchema,
} from "../../core/internal/wire.js";

/** Settings `client.batch` takes from the client. */
export interface BatchResourceSettings {
  /** Largest encoded AddBatchRequests call. */
  readonly maxAddBytes: number;
  /** Whether the connection tells a call when its request was written (CallHooks.onSent). */
  readonly reportsWrites: boolean;
  /** Models requests may name, asked for when an add starts (the live list is read once); undefined skips the check. */
  readonly batchModels: () => Promise<ReadonlySet<string> | undefined>;
  /** Where a file-based batch's file goes. */
  readonly files: FilesResource;
  /** Largest file the Files service takes. */
  readonly maxFileBytes: number;
}

const operationKeys = ["totalTimeoutMs", ...callOptionKeys];
const listKeys = ["limit", "paginationToken", ...operationKeys];
const addKeys = [
  "maxRequestsPerCall",
  "concurrency",
  "maxBytesInFlight",
  "autoIds",
  "oversize",
  "onProgress",
  "onSkip",
  "invalid",
  "onInvalid",
  ...operationKeys,
];
const defaultAddConcurrency = 4;
/**
 * Full calls' worth of bytes in flight by default: two keep the connection busy (one is written while the
 * other is answered), and each further 25 MB call in flight cost ~120 MB of peak RSS (bench scenario 2, bulk-add).
 */
const defaultCallsInFlightBytes = 2;
const defaultPollIntervalMs = 1_000;
const defaultMaxPollIntervalMs = 30_000;
/** AddBatchRequests with each request sent as the bytes it was measured as; see proto/xai_batch/v1/preencoded.proto. */
const preencodedAdd = { ...BatchMgmt.method.addBatchRequests, input: PreencodedAddBatchRequestsRequestSchema };
/** ListBatchResults with each result left as its bytes, read by viewResultBytes or viewDecodedResult; see proto/xai_batch/v1/preencoded.proto. */
const preencodedListResults = { ...BatchMgmt.method.listBatchResults, output: PreencodedListBatchResultsResponseSchema };
const maxListLimit = 1000;

const stateWords: Record<string, BatchRequestMetadata_State> = {
  pending: BatchRequestMetadata_State.PENDING,
  succeeded: BatchRequestMetadata_State.SUCCEEDED,
  failed: BatchRequestMetadata_State.FAILED,
  cancelled: BatchRequestMetadata_State.CANCELLED,
};

/** `client.batch`: create, fill, watch, page through and cancel batches. */
export class BatchResource {
  // Private fields, and a printed form of their own: what the resource holds (call context, custom
  // metadata, transport) is nobody's to print or serialise.
  readonly #rpc: ConnectClient<typeof BatchMgmt>;
  readonly #ctx: CallContext;
  readonly #transport: Transport;
  readonly #settings: BatchResourceSettings;
  readonly #recent = new RecentBatches();

  constructor(ctx: CallContext, transport: Transport, settings: BatchResourceSettings) {
    this.#ctx = ctx;
    this.#transport = transport;
    this.#settings = settings;
    this.#rpc = createClient(BatchMgmt, transport);
  }

  [inspect.custom](): string {
    return "BatchResource {}";
  }

  toJSON(): object {
    return {};
  }

  /** Creates a batch. Team limit: one creation per second. */
  create(name: string, options?: CreateBatchOptions): Promise<BatchView> {
    checkNonEmptyString("name", name);
    checkKnownKeys("create options", options, ["inputFileId", ...callOptionKeys]);
    if (options?.inputFileId !== undefined) checkNonEmptyString("inputFileId", options.inputFileId);
    return callUnary(this.#ctx, "CreateBatch", options, (o) =>
      this.#rpc.createBatch({ name, inputFileId: options?.inputFileId ?? "" }, o),
    ).then((raw) => {
      this.#recent.created(raw.batchId);
      return viewBatch(raw);
    });
  }

  /** The batch with its current counts (`state`) and cost. */
  get(batchId: string, options?: CallOptions): Promise<BatchView> {
    checkBatchId(batchId);
    checkKnownKeys("call options", options, callOptionKeys);
    return viewedBatch(
      batchId,
      callUnary(this.#ctx, "GetBatch", options, (o) => this.#rpc.getBatch({ batchId }, o)),
    );
  }

  /** Cancels a batch: pending requests are not processed; finished results are kept. Returns the batch after. */
  cancel(batchId: string, options?: CallOptions): Promise<BatchView> {
    checkBatchId(batchId);
    checkKnownKeys("call options", options, callOptionKeys);
    return viewedBatch(
      batchId,
      callUnary(this.#ctx, "CancelBatch", options, (o) => this.#rpc.cancelBatch({ batchId }, o)),
    );
  }

  /**
   * Waits until the batch is done, polling GetBatch with growing intervals, and returns it. Done means
   * requests exist and none is pending, or the batch was cancelled (by you or by xAI: see
   * `cancelByXaiMessage`) or expired; an empty batch or a file still loading is not done.
   */
  wait(batchId: string, options?: WaitOptions): Promise<BatchView> {
    checkBatchId(batchId);
    checkKnownKeys("wait options", options, ["pollIntervalMs", "maxPollIntervalMs", "onProgress", ...operationKeys]);
    checkTotalTimeout(options);
    checkCallOptions(options);
    checkInteger("pollIntervalMs", options?.pollIntervalMs, 1, 3_600_000);
    checkInteger("maxPollIntervalMs", options?.maxPollIntervalMs, options?.pollIntervalMs ?? 1, 3_600_000);
    const call = callOnly(options);
    const first = options?.pollIntervalMs ?? defaultPollIntervalMs;
    return this.about(
      batchId,
      inOperation("wait", { "xai_batch.batch_id": batchId }, async (op) => {
        let polls = 0;
        const poll = async (hooks: CallHooks) => {
          polls++;
          return viewBatch(
            await callUnary(this.#ctx, "GetBatch", call, (o) => this.#rpc.getBatch({ batchId }, o), { ...hooks, span: op.span }),
          );
        };
        try {
          const batch = await pollUntilDone(poll, batchId, {
            pollIntervalMs: first,
            maxPollIntervalMs: options?.maxPollIntervalMs ?? Math.max(first, defaultMaxPollIntervalMs),
            totalTimeoutMs: options?.totalTimeoutMs,
            notFoundGraceMs: this.#recent.notFoundGraceMs(batchId),
            signal: options?.signal,
            onProgress: options?.onProgress,
          });
          const c = batch.counts;
          op.set({
            "xai_batch.status": batch.status,
            "xai_batch.requests": c.total,
            "xai_batch.succeeded": c.succeeded,
            "xai_batch.failed": c.failed,
            "xai_batch.cancelled": c.cancelled,
          });
          return batch;
        } finally {
          op.set({ "xai_batch.polls": polls });
        }
      }),
    );
  }

  /** The team's batches: `await` for a page, `for await` for every batch. `totalTimeoutMs` bounds the whole iteration. */
  list(options?: ListOptions): PagedList<BatchesPage, BatchView> {
    checkListOptions("list options", options, listKeys);
    return this.paged(
      "ListBatches",
      undefined,
      options,
      (p) => p.batches,
      async (token, hooks) => {
        const res = await callUnary(
          this.#ctx,
          "ListBatches",
          callOnly(options),
          (c) => this.#rpc.listBatches({ limit: options?.limit ?? 0, paginationToken: token }, c),
          hooks,
        );
        const now = Date.now();
        return { batches: res.batches.map((b) => viewBatch(b, now)), paginationToken: nextToken(res.paginationToken) };
      },
    );
  }

  /** Per-request status (state, model, times), optionally only some `states`. `totalTimeoutMs` bounds the whole iteration. */
  listBatchRequests(batchId: string, options?: ListBatchRequestsOptions): PagedList<BatchRequestsPage, RequestMetadataView> {
    checkBatchId(batchId);
    checkListOptions("listBatchRequests options", options, [...listKeys, "states"]);
    const status = toStates(options?.states);
    return this.paged(
      "ListBatchRequestMetadata",
      batchId,
      options,
      (p) => p.batchRequestMetadata,
      (token, hooks) => this.fetchRequestsPage(batchId, options, status, token, hooks),
    );
  }

  /** Results of finished requests, in no particular order; each tells success from failure by `ok`. `totalTimeoutMs` bounds the whole iteration. */
  listBatchResults(batchId: string, options?: ListOptions): PagedList<BatchResultsPage, ResultView> {
    checkBatchId(batchId);
    checkListOptions("listBatchResults options", options, listKeys);
    return this.paged(
      "ListBatchResults",
      batchId,
      options,
      (p) => p.results,
      async (token, hooks) => {
        const res = await this.about(
          batchId,
          callUnary(
            this.#ctx,
            "ListBatchResults",
            callOnly(options),
            (o) =>
              this.#transport.unary(preencodedListResults, o.signal, o.timeoutMs, o.headers, {
                batchId,
                limit: options?.limit ?? 0,
                paginationToken: token,
              }),
            hooks,
          ),
        ).then((r) => r.message);
        const paginationToken = nextToken(res.paginationToken);
        return new UnbuiltPage(paginationToken, res.results.length, () => {
          const results = res.results.map(fastPath.on ? viewResultBytes : viewDecodedResult);
          return { results, succeeded: results.filter((r) => r.ok), failed: results.filter((r) => !r.ok), paginationToken };
        });
      },
    );
  }

  /** One request as submitted and its result (`result` is undefined while it is pending). */
  async getBatchRequestResult(batchId: string, batchRequestId: string, options?: CallOptions): Promise<BatchRequestResult> {
    checkBatchId(batchId);
    checkNonEmptyString("batchRequestId", batchRequestId);
    checkKnownKeys("call options", options, callOptionKeys);
    const res = await this.about(
      batchId,
      callUnary(this.#ctx, "GetBatchRequestResult", options, (o) => this.#rpc.getBatchRequestResult({ batchId, batchRequestId }, o)),
    );
    const view = {
      batchRequestId,
      request: res.request === undefined ? undefined : (toJson(BatchRequestSchema, res.request) as JsonObject),
      result: res.result === undefined ? undefined : viewResult(res.result),
    };
    return withRaw(view, res);
  }

  /**
   * Creates a batch from a JSONL file in xAI's batch line format (`{"custom_id", "method", "url", "body"}`):
   * checks it (a path), uploads it, and creates the batch from the stored file. The batch shows zero
   * requests while xAI loads the file; `wait` knows that. Team limits: one creation per second; the
   * upload is not bound by the add quota.
   */
  async createFromFile(name: string, source: UploadSource, options?: CreateFromFileOptions): Promise<BatchView> {
    checkNonEmptyString("name", name);
    checkKnownKeys("createFromFile options", options, ["check", "filename", "expiresAfterS", "onUploadProgress", ...callOptionKeys]);
    if (typeof source === "string" && options?.check !== false) await checkFileLines(source, await this.#settings.batchModels());
    const file = await this.#settings.files.upload(source, uploadOptions(options, options?.filename));
    return this.create(name, { ...callOnly(options), inputFileId: file.id });
  }

  /**
   * Creates a batch named `name` and puts `requests` in it, by add calls or as one uploaded file
   * (`via`); the requests are validated and identified the same way either way.
   */
  async submit(name: string, requests: Iterable<AddInput> | AsyncIterable<AddInput>, options?: SubmitOptions): Promise<SubmitResult> {
    checkNonEmptyString("name", name);
    const { via = "add", expiresAfterS, onUploadProgress, ...addOptions } = options ?? {};
    if (via !== "add" && via !== "file") throw new InputError(`Expected \`via\` to be "add" or "file", got ${describeValue(via)}.`);
    if (via === "add") {
      const batch = await this.create(name, callOnly(addOptions));
      const add = await this.add(batch.batchId, requests, addOptions);
      return { batch, via, requests: add.requestsAdded + add.alreadyPresent, file: undefined, add };
    }
    const dir = await mkdtemp(join(tmpdir(), "xai-batch-file-"));
    try {
      const path = join(dir, "requests.jsonl");
      const skip = addOptions.invalid === "skip" ? { onInvalid: addOptions.onInvalid ?? (() => {}) } : {};
      const written = await writeFileLines(requests, path, {
        models: await this.#settings.batchModels(),
        maxBytes: this.#settings.maxFileBytes,
        ...skip,
      });
      if (written.requests === 0) throw new InputError("There are no requests to put in the batch.");
      // Named by content: a retried upload whose answer was lost is then recognised exactly (see client.files).
      const filename = `requests-${written.digest.slice(0, 24)}.jsonl`;
      const file = await this.#settings.files.upload(
        path,
        uploadOptions({ ...callOnly(addOptions), expiresAfterS, onUploadProgress }, filename),
      );
      const batch = await this.create(name, { ...callOnly(addOptions), inputFileId: file.id });
      return { batch, via, requests: written.requests, file, add: undefined };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /**
   * Adds requests to a batch: an array, any iterable, or an async iterable of any length (read as fast as
   * calls go out, never all at once). Requests are packed into calls by exact encoded size, paced to the
   * team's quota, retried, and delivered exactly once: re-running an interrupted add of the same input
   * adds only what is missing. An array is checked whole before the first call; a stream as it is read.
   */
  add(batchId: string, requests: Iterable<AddInput> | AsyncIterable<AddInput>, options?: AddOptions): Promise<AddResult> {
    checkBatchId(batchId);
    checkKnownKeys("add options", options, addKeys);
    checkCallOptions(options);
    checkTotalTimeout(options);
    checkInteger("maxRequestsPerCall", options?.maxRequestsPerCall, 1, 1_000_000);
    checkInteger("concurrency", options?.concurrency, 1, 64);
    checkInteger("maxBytesInFlight", options?.maxBytesInFlight, 1, Number.MAX_SAFE_INTEGER);
    if (options?.oversize !== undefined && options.oversize !== "error" && options.oversize !== "skip") {
      throw new InputError(`Expected \`oversize\` to be "error" or "skip", got ${describeValue(options.oversize)}.`);
    }
    if (options?.invalid !== undefined && options.invalid !== "error" && options.invalid !== "skip") {
      throw new InputError(`Expected \`invalid\` to be "error" or "skip", got ${describeValue(options.invalid)}.`);
    }
    if (requests === null || typeof requests !== "object" || !(Symbol.iterator in requests || Symbol.asyncIterator in requests)) {
      throw new InputError(
        `Expected \`requests\` to be an array, an iterable or an async iterable of requests, got ${describeValue(requests)}.`,
      );
    }
    const call = callOnly(options);
    return this.about(
      batchId,
      inOperation("add", { "xai_batch.batch_id": batchId }, async (op) => {
        const span = op.span;
        const transport: AddTransport = {
          reportsWrites: this.#settings.reportsWrites,
          send: (batchRequests, hooks) =>
            callUnary(
              this.#ctx,
              "AddBatchRequests",
              call,
              (o) =>
                this.#transport.unary(
                  preencodedAdd,
                  o.signal,
                  o.timeoutMs,
                  o.headers,
                  { batchId, batchRequests: batchRequests as Uint8Array[] },
                  o.contextValues,
                ),
              { ...hooks, span },
            ).then(() => undefined),
          countRequests: async (hooks) => {
            const batch = await callUnary(this.#ctx, "GetBatch", call, (o) => this.#rpc.getBatch({ batchId }, o), { ...hooks, span });
            return Number(batch.state?.numRequests ?? 0n);
          },
          listPage: async (token, hooks) => {
            const page = await this.fetchRequestsPage(batchId, { ...call, limit: maxListLimit }, [], token, { ...hooks, span });
            return { ids: page.batchRequestMetadata.map((m) => m.batchRequestId), nextToken: page.paginationToken };
          },
        };
        let latest: AddProgress | undefined;
        try {
          const result = await this.#settings.batchModels().then((models) =>
            runAdd(transport, batchId, requests, {
              maxAddBytes: this.#settings.maxAddBytes,
              maxRequestsPerCall: options?.maxRequestsPerCall ?? Number.POSITIVE_INFINITY,
              concurrency: options?.concurrency ?? defaultAddConcurrency,
              maxBytesInFlight: options?.maxBytesInFlight ?? defaultCallsInFlightBytes * this.#settings.maxAddBytes,
              autoIds: options?.autoIds ?? true,
              oversize: options?.oversize ?? "error",
              toRequest: (input, index) => toBatchRequest(input, index, models),
              chatEncoder: new ChatEncoder(models, builtRequest),
              onInvalid: options?.invalid === "skip" ? (options.onInvalid ?? (() => {})) : undefined,
              totalTimeoutMs: options?.totalTimeoutMs,
              notFoundGraceMs: this.#recent.notFoundGraceMs(batchId),
              signal: options?.signal,
              onProgress: (progress) => {
                latest = progress;
                options?.onProgress?.(progress);
              },
              onSkip: options?.onSkip,
              roundBackoff: this.#ctx.retry.transientBackoff,
              random: this.#ctx.random,
            }),
          );
          latest = result;
          return result;
        } finally {
          if (latest !== undefined) op.set(addAttributes(latest));
        }
      }),
    );
  }

  /** A call about one batch, whose NOT_FOUND is said with the id and what to check. */
  private about<T>(batchId: string, call: Promise<T>): Promise<T> {
    return call.catch((error: unknown) => {
      throw explainNotFound(error, batchId);
    });
  }

  private async fetchRequestsPage(
    batchId: string,
    options: ListOptions | undefined,
    status: BatchRequestMetadata_State[],
    token: string | undefined,
    hooks: CallHooks,
  ): Promise<BatchRequestsPage> {
    const res = await this.about(
      batchId,
      callUnary(
        this.#ctx,
        "ListBatchRequestMetadata",
        callOnly(options),
        (c) => this.#rpc.listBatchRequestMetadata({ batchId, limit: options?.limit ?? 0, paginationToken: token, status }, c),
        hooks,
      ),
    );
    return { batchRequestMetadata: res.batchRequestMetadata.map(viewRequestMetadata), paginationToken: nextToken(res.paginationToken) };
  }

  /**
   * A PagedList whose pages share one overall deadline, started when the first page is asked for. Each
   * page is a span (`xai_batch.list_page`), the child of its iteration's span (`xai_batch.list`, ended
   * when the caller stops, with the pages and items it read) while `pages()` or `for await` runs.
   */
  private paged<TPage extends Page, TItem>(
    method: RpcName,
    batchId: string | undefined,
    options: ListOptions | undefined,
    itemsOf: (page: TPage) => readonly TItem[],
    fetch: (token: string | undefined, hooks: CallHooks) => Promise<FetchedPage<TPage>>,
  ): PagedList<TPage, TItem> {
    let overall: Deadline | undefined;
    let pages = 0;
    let items = 0;
    const listed = { "rpc.method": method, ...(batchId === undefined ? {} : { "xai_batch.batch_id": batchId }) };
    // The span of a whole iteration (pages() or for await), parent of its pages' spans, while one runs.
    let iteration: OpenOperation | undefined;
    return new PagedList(
      method,
      (token) => {
        overall ??= Deadline.after(options?.totalTimeoutMs);
        return inOperation(
          "list_page",
          { ...listed, "xai_batch.page": pages++ },
          async (op) => {
            const page = await fetch(token, { overall, span: op.span });
            const size = itemCount(page, itemsOf);
            items += size;
            op.set({ "xai_batch.items": size, "xai_batch.last_page": page.paginationToken === undefined });
            return page;
          },
          iteration?.span,
        );
      },
      itemsOf,
      options?.paginationToken,
      defaultMaxEmptyPages,
      () => {
        const op = startOperation("list", listed);
        iteration = op;
        return {
          end: (error) => {
            op.set({ "xai_batch.pages": pages, "xai_batch.items": items });
            op.end(error);
            if (iteration === op) iteration = undefined;
          },
        };
      },
    );
  }
}

/** The upload options of a file-based batch's call options. */
function uploadOptions(
  options: (CallOptions & { expiresAfterS?: number | undefined; onUploadProgress?: ((p: UploadProgress) => void) | undefined }) | undefined,
  filename: string | undefined,
): UploadOptions {
  return {
    ...callOnly(options),
    ...(filename === undefined ? {} : { filename }),
    ...(options?.expiresAfterS === undefined ? {} : { expiresAfterS: options.expiresAfterS }),
    ...(options?.onUploadProgress === undefined ? {} : { onProgress: options.onUploadProgress }),
  };
}

/** What an add did, as attributes of its span: counts, bytes, calls, retries and quota waits, never content. */
function addAttributes(p: AddProgress): Record<string, number> {
  return {
    "xai_batch.requests_read": p.requestsRead,
    "xai_batch.requests_added": p.requestsAdded,
    "xai_batch.already_present": p.alreadyPresent,
    "xai_batch.skipped": p.skipped,
    "xai_batch.invalid": p.invalid,
    "xai_batch.bytes_sent": p.bytesSent,
    "xai_batch.calls": p.calls,
    "xai_batch.retries": p.retries,
    "xai_batch.quota_wait_ms": p.quotaWaitMs,
    "xai_batch.list_calls": p.listCalls,
  };
}

/** A call's batch as a view, in one step after the call settles; a NOT_FOUND is explained as `about` does. */
function viewedBatch(batchId: string, call: Promise<Batch>): Promise<BatchView> {
  return call.then(
    (raw) => viewBatch(raw),
    (error: unknown) => {
      throw explainNotFound(error, batchId);
    },
  );
}

function checkBatchId(batchId: unknown): asserts batchId is string {
  checkNonEmptyString("batchId", batchId);
}

/** The per-call part of an operation's options, for each call it makes. */
function callOnly(options: OperationOptions | undefined): CallOptions {
  return { timeoutMs: options?.timeoutMs, signal: options?.signal, metadata: options?.metadata };
}

function checkTotalTimeout(options: OperationOptions | undefined): void {
  checkInteger("totalTimeoutMs", options?.totalTimeoutMs, 0, 2_147_483_647);
}

function checkListOptions(what: string, options: ListOptions | undefined, keys: readonly string[]): void {
  checkKnownKeys(what, options, keys);
  checkTotalTimeout(options);
  checkInteger("limit", options?.limit, 1, maxListLimit);
  if (options?.paginationToken !== undefined && typeof options.paginationToken !== "string") {
    throw new InputError(
      `Expected \`paginationToken\` to be a string from a previous page, got ${describeValue(options.paginationToken)}.`,
    );
  }
}

function toStates(states: readonly RequestState[] | undefined): BatchRequestMetadata_State[] {
  if (states === undefined) return [];
  if (!Array.isArray(states))
    throw new InputError(`Expected \`states\` to be an array such as ["failed", "cancelled"], got ${describeValue(states)}.`);
  return states.map((s) => {
    const state = typeof s === "string" ? stateWords[s] : s;
    if (state === undefined || BatchRequestMetadata_State[state] === undefined || state === BatchRequestMetadata_State.UNKNOWN) {
      throw new InputError(`Expected each of \`states\` to be "pending", "succeeded", "failed" or "cancelled", got ${describeValue(s)}.`);
    }
    return state;
  });
}
