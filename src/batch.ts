import { toBinary } from "@bufbuild/protobuf";
import { createClient, type Client as ConnectClient } from "@connectrpc/connect";
import { InputError } from "./errors.js";
import { toBatchRequest, requestName, type AddInput } from "./internal/batch-request.js";
import { callOptionKeys, callUnary, type CallContext, type CallOptions } from "./internal/call.js";
import { ChunkPlanner, envelopeSize } from "./internal/chunking.js";
import { checkInteger, checkKnownKeys, checkNonEmptyString, describe } from "./internal/validate.js";
import { nextToken, PagedList } from "./pagination.js";
import { viewResult, type ResultView } from "./results.js";
import {
  BatchMgmt,
  BatchRequestMetadata_State,
  BatchRequestSchema,
  type Batch,
  type BatchRequest,
  type BatchRequestMetadata,
} from "./wire.js";

/** Paging options of every list method. */
export interface ListOptions extends CallOptions {
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

/** Options of `add`. */
export interface AddOptions extends CallOptions {
  /** Most requests in one AddBatchRequests call. @default 10_000 */
  maxRequestsPerCall?: number;
}

/** What `add` did. */
export interface AddResult {
  /** Requests the server accepted. */
  readonly requestsAdded: number;
  /** AddBatchRequests calls made. */
  readonly calls: number;
  /** Encoded bytes sent, envelopes included. */
  readonly bytesSent: number;
}

/** A page of `list`. */
export interface BatchesPage {
  readonly batches: Batch[];
  readonly paginationToken: string | undefined;
}

/** A page of `listBatchRequests`. */
export interface BatchRequestsPage {
  readonly batchRequestMetadata: BatchRequestMetadata[];
  readonly paginationToken: string | undefined;
}

/** A page of `listBatchResults`: every result, and the same split into succeeded and failed. */
export interface BatchResultsPage {
  readonly results: ResultView[];
  readonly succeeded: ResultView[];
  readonly failed: ResultView[];
  readonly paginationToken: string | undefined;
}

/** The answer of `getBatchRequestResult`: the request as submitted and its result, if it has finished. */
export interface BatchRequestResult {
  readonly request: BatchRequest | undefined;
  readonly result: ResultView | undefined;
}

/** Settings `client.batch` takes from the client. */
export interface BatchResourceSettings {
  /** Largest encoded AddBatchRequests call. */
  readonly maxAddBytes: number;
  /** Models requests may name; undefined skips the check. */
  readonly batchModels: ReadonlySet<string> | undefined;
}

const listKeys = ["limit", "paginationToken", ...callOptionKeys];
const maxListLimit = 1000;
const defaultMaxRequestsPerCall = 10_000;

const stateWords: Record<string, BatchRequestMetadata_State> = {
  pending: BatchRequestMetadata_State.PENDING,
  succeeded: BatchRequestMetadata_State.SUCCEEDED,
  failed: BatchRequestMetadata_State.FAILED,
  cancelled: BatchRequestMetadata_State.CANCELLED,
};

/** `client.batch`: create, fill, watch, page through and cancel batches. */
export class BatchResource {
  private readonly rpc: ConnectClient<typeof BatchMgmt>;

  constructor(
    private readonly ctx: CallContext,
    transport: Parameters<typeof createClient>[1],
    private readonly settings: BatchResourceSettings,
  ) {
    this.rpc = createClient(BatchMgmt, transport);
  }

  /** Creates a batch. Team limit: one creation per second. */
  create(name: string, options?: CreateBatchOptions): Promise<Batch> {
    checkNonEmptyString("name", name);
    checkKnownKeys("create options", options, ["inputFileId", ...callOptionKeys]);
    if (options?.inputFileId !== undefined) checkNonEmptyString("inputFileId", options.inputFileId);
    return callUnary(this.ctx, "CreateBatch", options, (o) => this.rpc.createBatch({ name, inputFileId: options?.inputFileId ?? "" }, o));
  }

  /** The batch with its current counts (`state`) and cost. */
  get(batchId: string, options?: CallOptions): Promise<Batch> {
    checkBatchId(batchId);
    checkKnownKeys("call options", options, callOptionKeys);
    return callUnary(this.ctx, "GetBatch", options, (o) => this.rpc.getBatch({ batchId }, o));
  }

  /** Cancels a batch: pending requests are not processed; finished results are kept. Returns the batch after. */
  cancel(batchId: string, options?: CallOptions): Promise<Batch> {
    checkBatchId(batchId);
    checkKnownKeys("call options", options, callOptionKeys);
    return callUnary(this.ctx, "CancelBatch", options, (o) => this.rpc.cancelBatch({ batchId }, o));
  }

  /** The team's batches: `await` for a page, `for await` for every batch. */
  list(options?: ListOptions): PagedList<BatchesPage, Batch> {
    checkListOptions("list options", options, listKeys);
    return this.paged(options, (b) => b.batches, async (token, o) => {
      const res = await callUnary(this.ctx, "ListBatches", options, (c) => this.rpc.listBatches({ limit: o.limit ?? 0, paginationToken: token }, c));
      return { batches: res.batches, paginationToken: nextToken(res.paginationToken) };
    }, "ListBatches");
  }

  /** Per-request status (state, model, times), optionally only some `states`. */
  listBatchRequests(batchId: string, options?: ListBatchRequestsOptions): PagedList<BatchRequestsPage, BatchRequestMetadata> {
    checkBatchId(batchId);
    checkListOptions("listBatchRequests options", options, [...listKeys, "states"]);
    const status = toStates(options?.states);
    return this.paged(options, (p) => p.batchRequestMetadata, async (token, o) => {
      const res = await callUnary(this.ctx, "ListBatchRequestMetadata", options, (c) =>
        this.rpc.listBatchRequestMetadata({ batchId, limit: o.limit ?? 0, paginationToken: token, status }, c),
      );
      return { batchRequestMetadata: res.batchRequestMetadata, paginationToken: nextToken(res.paginationToken) };
    }, "ListBatchRequestMetadata");
  }

  /** Results of finished requests, in no particular order; each tells success from failure by `ok`. */
  listBatchResults(batchId: string, options?: ListOptions): PagedList<BatchResultsPage, ResultView> {
    checkBatchId(batchId);
    checkListOptions("listBatchResults options", options, listKeys);
    return this.paged(options, (p) => p.results, async (token, o) => {
      const res = await callUnary(this.ctx, "ListBatchResults", options, (c) =>
        this.rpc.listBatchResults({ batchId, limit: o.limit ?? 0, paginationToken: token }, c),
      );
      const results = res.results.map(viewResult);
      return {
        results,
        succeeded: results.filter((r) => r.ok),
        failed: results.filter((r) => !r.ok),
        paginationToken: nextToken(res.paginationToken),
      };
    }, "ListBatchResults");
  }

  /** One request as submitted and its result (`result` is undefined while it is pending). */
  async getBatchRequestResult(batchId: string, batchRequestId: string, options?: CallOptions): Promise<BatchRequestResult> {
    checkBatchId(batchId);
    checkNonEmptyString("batchRequestId", batchRequestId);
    checkKnownKeys("call options", options, callOptionKeys);
    const res = await callUnary(this.ctx, "GetBatchRequestResult", options, (o) => this.rpc.getBatchRequestResult({ batchId, batchRequestId }, o));
    return { request: res.request, result: res.result === undefined ? undefined : viewResult(res.result) };
  }

  /**
   * Adds requests to a batch, split into calls that respect the per-call size limit. Every request is
   * checked before anything is sent: one bad request, duplicate id or oversize request refuses the whole add.
   */
  async add(batchId: string, requests: Iterable<AddInput>, options?: AddOptions): Promise<AddResult> {
    checkBatchId(batchId);
    checkKnownKeys("add options", options, ["maxRequestsPerCall", ...callOptionKeys]);
    checkInteger("maxRequestsPerCall", options?.maxRequestsPerCall, 1, 1_000_000);
    if (requests === null || typeof requests !== "object" || !(Symbol.iterator in requests)) {
      throw new InputError(`Expected \`requests\` to be an array or iterable of requests, got ${describe(requests)}.`);
    }
    const planner = new ChunkPlanner(
      { maxBytes: this.settings.maxAddBytes, maxRequests: options?.maxRequestsPerCall ?? defaultMaxRequestsPerCall },
      envelopeSize(batchId),
    );
    const calls: { requests: BatchRequest[]; bytes: number }[] = [];
    let current: BatchRequest[] = [];
    const seen = new Set<string>();
    let index = 0;
    for (const input of requests) {
      const request = toBatchRequest(input, index, this.settings.batchModels);
      checkUniqueId(request, index, seen);
      const bytes = toBinary(BatchRequestSchema, request).length;
      if (!planner.fitsAlone(bytes)) {
        throw new InputError(
          `${requestName(request, index)} encodes to ${bytes} bytes; one AddBatchRequests call may carry at most ${this.settings.maxAddBytes} bytes. Shorten the request or send large inputs by URL.`,
        );
      }
      if (!planner.fits(bytes)) {
        calls.push({ requests: current, bytes: planner.reset() });
        current = [];
      }
      planner.add(bytes);
      current.push(request);
      index++;
    }
    if (current.length > 0) calls.push({ requests: current, bytes: planner.reset() });
    let requestsAdded = 0;
    let bytesSent = 0;
    for (const call of calls) {
      await callUnary(this.ctx, "AddBatchRequests", options, (o) => this.rpc.addBatchRequests({ batchId, batchRequests: call.requests }, o));
      requestsAdded += call.requests.length;
      bytesSent += call.bytes;
    }
    return { requestsAdded, calls: calls.length, bytesSent };
  }

  private paged<TPage extends { paginationToken: string | undefined }, TItem>(
    options: ListOptions | undefined,
    itemsOf: (page: TPage) => readonly TItem[],
    fetch: (token: string | undefined, options: ListOptions) => Promise<TPage>,
    method: string,
  ): PagedList<TPage, TItem> {
    const opts = options ?? {};
    return new PagedList(method, (token) => fetch(token, opts), itemsOf, opts.paginationToken);
  }
}

function checkBatchId(batchId: unknown): asserts batchId is string {
  checkNonEmptyString("batchId", batchId);
}

function checkListOptions(what: string, options: ListOptions | undefined, keys: readonly string[]): void {
  checkKnownKeys(what, options, keys);
  checkInteger("limit", options?.limit, 1, maxListLimit);
  if (options?.paginationToken !== undefined && typeof options.paginationToken !== "string") {
    throw new InputError(`Expected \`paginationToken\` to be a string from a previous page, got ${describe(options.paginationToken)}.`);
  }
}

function toStates(states: readonly RequestState[] | undefined): BatchRequestMetadata_State[] {
  if (states === undefined) return [];
  if (!Array.isArray(states)) throw new InputError(`Expected \`states\` to be an array such as ["failed", "cancelled"], got ${describe(states)}.`);
  return states.map((s) => {
    const state = typeof s === "string" ? stateWords[s] : s;
    if (state === undefined || BatchRequestMetadata_State[state] === undefined || state === BatchRequestMetadata_State.UNKNOWN) {
      throw new InputError(`Expected each of \`states\` to be "pending", "succeeded", "failed" or "cancelled", got ${describe(s)}.`);
    }
    return state;
  });
}

function checkUniqueId(request: BatchRequest, index: number, seen: Set<string>): void {
  const id = request.batchRequestId;
  if (id === undefined) return;
  if (seen.has(id)) throw new InputError(`${requestName(request, index)} repeats an id used earlier in this add; ids must be unique within a batch.`);
  seen.add(id);
}

export type { AddInput };
