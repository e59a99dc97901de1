import { randomUUID } from "node:crypto";
import { create, toBinary, type DescMessage, type DescMethodUnary, type MessageShape } from "@bufbuild/protobuf";
import { status as GrpcStatus } from "@grpc/grpc-js";
import { BatchMgmt, PreencodedListBatchResultsResponseSchema } from "../core/internal/wire.js";
import type { Authenticator, Caller } from "./auth.js";
import type { Counters } from "./counters.js";
import { decodeAddRequest, decodeStoredRequest, decodeStoredResult } from "./encoded.js";
import type { Faults } from "./faults.js";
import { decodeRequest, metadataBytes, type RawCall, type RawUnaryHandlers } from "./grpc-service.js";
import type { InputFileLoader } from "./input-files.js";
import { SlidingWindowLimiter } from "./limits.js";
import { acceptedModels, type ResolvedEmulatorOptions } from "./options.js";
import type { Pager } from "./paging.js";
import type { Processor } from "./processor.js";
import { quoted, retryInfo, StatusError } from "./status.js";
import { isOpen, type BatchRecord, type Store } from "./store.js";
import type { Timers } from "./timers.js";
import { acceptRequests } from "./validation.js";
import { batchView, metadataView, requestState } from "./views.js";

/** Everything the RPC handlers work with. */
export interface ServiceContext {
  options: ResolvedEmulatorOptions;
  store: Store;
  processor: Processor;
  fileLoader: InputFileLoader;
  faults: Faults;
  counters: Counters;
  auth: Authenticator;
  pager: Pager;
  timers: Timers;
  now: () => number;
  /** True once the emulator is stopping: calls that reach a handler then are refused, not applied. */
  stopping: () => boolean;
  /** Reports a kind of refusal the first time it happens (the counters count every one). */
  warnOnce: (kind: string, message: string) => void;
}

/** The eight BatchMgmt RPCs with xAI's semantics, limits and injected faults. */
export function batchService(context: ServiceContext): RawUnaryHandlers<typeof BatchMgmt> {
  const { options, store, processor, fileLoader, faults, counters, auth, pager, timers, now } = context;
  const { limits } = options;
  const createLimiter = new SlidingWindowLimiter({ capacity: 1, windowMs: limits.createIntervalMs }, now);
  const addLimiter = new SlidingWindowLimiter({ capacity: limits.addCallsPerWindow, windowMs: limits.addWindowMs }, now);
  const models = acceptedModels(options);

  /**
   * The path every call takes, in the order a real front end would: delay, outage, then the checks that
   * cost nothing (metadata size, authentication, the message's size on the wire), and only then decoding.
   * A 64 MiB body from a caller without a key is refused without being decoded. `decode` reads the
   * request's bytes into what the handler works with (the message, by default).
   */
  function rpc<D extends DescMessage, O, R = MessageShape<D>>(
    method: DescMethodUnary<D>,
    handler: (request: R, caller: Caller) => O,
    maxWireBytes = Infinity,
    decode: (bytes: Buffer) => R = (bytes) => decodeRequest(method.input, bytes) as R,
  ): (bytes: Buffer, call: RawCall) => Promise<O> {
    const { name } = method;
    return async (bytes, call) => {
      counters.call(name);
      try {
        const latencyMs = faults.latencyMs();
        if (latencyMs > 0) await timers.sleep(latencyMs);
        if (context.stopping()) throw new StatusError(GrpcStatus.UNAVAILABLE, "the emulator is stopping; nothing was applied");
        faults.maybeUnavailable();
        const headerBytes = metadataBytes(call.metadata);
        if (headerBytes > options.maxHeaderListBytes) {
          throw tooLarge(
            `request metadata is ${headerBytes} bytes, over the limit of ${options.maxHeaderListBytes} bytes (maxHeaderListBytes)`,
          );
        }
        const caller = auth.authenticate(call.metadata);
        if (bytes.length > maxWireBytes) {
          throw tooLarge(
            `${name} message is ${bytes.length} bytes, over the limit of ${maxWireBytes} bytes per call; send fewer requests per call`,
          );
        }
        const request = decode(bytes);
        counters.add("messagesDecoded");
        return handler(request, caller);
      } catch (error) {
        if (error instanceof StatusError) counters.reject(error);
        throw error;
      }
    };
  }

  function tooLarge(message: string): StatusError {
    context.warnOnce("rejections.size", `refused a call: ${message}`);
    return new StatusError(GrpcStatus.RESOURCE_EXHAUSTED, message);
  }

  function admit(limiter: SlidingWindowLimiter, caller: Caller, limit: string): void {
    const admission = limiter.tryAdmit(caller.team);
    if (admission.admitted) return;
    const waitMs = Math.ceil(admission.retryAfterMs);
    throw new StatusError(GrpcStatus.RESOURCE_EXHAUSTED, `rate limit: ${limit} per team; retry in ${waitMs} ms`, [retryInfo(waitMs)]);
  }

  /**
   * A batch of the caller's team that can still be read. Another team's batch is NOT_FOUND, not
   * PERMISSION_DENIED, so ids do not leak across teams.
   */
  function findBatch(caller: Caller, batchId: string, withCreateLag = true): BatchRecord {
    if (batchId === "") throw new StatusError(GrpcStatus.INVALID_ARGUMENT, "batch_id is required");
    const batch = store.get(batchId);
    if (batch === undefined || batch.team !== caller.team || now() >= batch.expireTimeMs + options.retainAfterExpiryMs) {
      throw new StatusError(GrpcStatus.NOT_FOUND, `batch ${quoted(batchId)} not found`);
    }
    if (withCreateLag) faults.maybeNotFoundAfterCreate(batch.id, batch.createTimeMs, now());
    return batch;
  }

  return {
    createBatch: rpc(BatchMgmt.method.createBatch, (request, caller) => {
      admit(createLimiter, caller, `at most 1 CreateBatch per ${limits.createIntervalMs} ms`);
      const inputFileId = request.inputFileId || undefined;
      if (inputFileId !== undefined && !fileLoader.knows(caller.team, inputFileId)) {
        throw new StatusError(GrpcStatus.NOT_FOUND, `input file ${quoted(inputFileId)} not found`);
      }
      const timeMs = now();
      const batchId = `batch_${randomUUID()}`;
      store.commit({
        type: "batchCreated",
        batchId,
        team: caller.team,
        name: request.name,
        apiKeyId: caller.apiKeyId,
        inputFileId,
        timeMs,
        expireTimeMs: timeMs + options.expireAfterMs,
      });
      counters.add("batchesCreated");
      const batch = store.get(batchId)!;
      if (inputFileId !== undefined) fileLoader.schedule(batch);
      return batchView(batch, timeMs);
    }),

    getBatch: rpc(BatchMgmt.method.getBatch, (request, caller) => batchView(findBatch(caller, request.batchId), now())),

    // Oldest first: creation order is the sequence page tokens resume from, so new batches land on later pages.
    listBatches: rpc(BatchMgmt.method.listBatches, (request, caller) => {
      const at = now();
      const scope = { team: caller.team, rpc: "ListBatches", batchId: "", filter: "" };
      const page = pager.page(request, scope, store.batches(), (b) => b.team === caller.team && at < b.expireTimeMs);
      return { batches: page.items.map((b) => batchView(b, at)), paginationToken: page.paginationToken };
    }),

    cancelBatch: rpc(BatchMgmt.method.cancelBatch, (request, caller) => {
      const batch = findBatch(caller, request.batchId, false);
      const at = now();
      if (isOpen(batch, at)) store.commit({ type: "batchCancelled", batchId: batch.id, timeMs: at, byXaiMessage: undefined });
      return batchView(batch, at);
    }),

    addBatchRequests: rpc(
      BatchMgmt.method.addBatchRequests,
      (request, caller) => {
        admit(addLimiter, caller, `at most ${limits.addCallsPerWindow} AddBatchRequests calls per ${limits.addWindowMs} ms`);
        const batch = findBatch(caller, request.batchId);
        if (batch.inputFileId !== undefined) {
          throw new StatusError(
            GrpcStatus.FAILED_PRECONDITION,
            `batch ${batch.id} was created from the file ${batch.inputFileId} and is sealed: its requests come from the file; add requests to another batch`,
          );
        }
        const at = now();
        if (!isOpen(batch, at)) {
          const why = batch.cancel === undefined ? `expired at ${new Date(batch.expireTimeMs).toISOString()}` : "is cancelled";
          throw new StatusError(GrpcStatus.FAILED_PRECONDITION, `batch ${batch.id} ${why} and takes no more requests`);
        }
        const requests = acceptRequests(request.requests, batch.requestsById, models);
        if (requests.length > 0) {
          store.commit({ type: "requestsAdded", batchId: batch.id, timeMs: at, fromFile: false, requests });
          counters.add("requestsApplied", requests.length);
          processor.enqueue(batch);
        }
        faults.maybeAmbiguousAdd();
        return {};
      },
      limits.maxAddBytes,
      decodeAddRequest,
    ),

    listBatchRequestMetadata: rpc(BatchMgmt.method.listBatchRequestMetadata, (request, caller) => {
      const batch = findBatch(caller, request.batchId);
      const at = now();
      const states = new Set(request.status);
      const scope = { team: caller.team, rpc: "ListBatchRequestMetadata", batchId: batch.id, filter: [...states].sort().join(",") };
      const page = pager.page(request, scope, batch.requests, (r) => states.size === 0 || states.has(requestState(batch, r, at)));
      return { batchRequestMetadata: page.items.map((r) => metadataView(batch, r, at)), paginationToken: page.paginationToken };
    }),

    // In completion order, finished requests only: a cancelled request has no result (it shows in the
    // counts and as CANCELLED metadata), so a result always means the model ran. The page is written from
    // the results' stored bytes (PreencodedListBatchResultsResponse is wire-identical to the response).
    listBatchResults: rpc(BatchMgmt.method.listBatchResults, (request, caller) => {
      const batch = findBatch(caller, request.batchId);
      const scope = { team: caller.team, rpc: "ListBatchResults", batchId: batch.id, filter: "" };
      const page = pager.page(request, scope, batch.results, () => true);
      const results = page.items.map((r) => r.finish!.result.bytes);
      return toBinary(
        PreencodedListBatchResultsResponseSchema,
        create(PreencodedListBatchResultsResponseSchema, { results, paginationToken: page.paginationToken }),
      );
    }),

    getBatchRequestResult: rpc(BatchMgmt.method.getBatchRequestResult, (request, caller) => {
      const batch = findBatch(caller, request.batchId);
      const record = batch.requestsById.get(request.batchRequestId);
      if (record === undefined)
        throw new StatusError(GrpcStatus.NOT_FOUND, `batch request ${quoted(request.batchRequestId)} not found in batch ${batch.id}`);
      const result = record.finish === undefined ? undefined : decodeStoredResult(record.finish.result.bytes);
      return { request: decodeStoredRequest(record.bytes), result };
    }),
  };
}
