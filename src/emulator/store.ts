import type { StoredResult } from "./encoded.js";

/**
 * Every change to the state, as a fact. The store changes only by applying these, so replaying a journal
 * of them rebuilds exactly the state that was acknowledged.
 */
export type StoreEvent =
  | {
      type: "batchCreated";
      batchId: string;
      team: string;
      name: string;
      apiKeyId: string;
      inputFileId: string | undefined;
      timeMs: number;
      expireTimeMs: number;
    }
  | { type: "requestsAdded"; batchId: string; timeMs: number; fromFile: boolean; requests: readonly AcceptedRequest[] }
  | { type: "requestsFinished"; timeMs: number; results: readonly FinishedRequest[] }
  | { type: "batchCancelled"; batchId: string; timeMs: number; byXaiMessage: string | undefined };

/** A request that passed validation: its id, where it goes, and its encoded bytes (that id included). */
export interface AcceptedRequest {
  readonly id: string;
  readonly endpoint: string;
  readonly model: string;
  /** The encoded BatchRequest (see encoded.ts: decoded again only when processed or asked for). */
  readonly bytes: Uint8Array;
}

/** One processed request: its batch, its insertion sequence there, and what the model answered. */
export interface FinishedRequest {
  batchId: string;
  seq: number;
  result: StoredResult;
}

/** A request of a batch. `seq` is its insertion sequence, its index in `BatchRecord.requests`. */
export interface RequestRecord extends AcceptedRequest {
  readonly seq: number;
  readonly createTimeMs: number;
  finish?: { timeMs: number; result: StoredResult };
}

/** A batch. `seq` is its creation sequence, its index in the store's list of batches. */
export interface BatchRecord {
  readonly seq: number;
  readonly id: string;
  readonly team: string;
  readonly name: string;
  readonly apiKeyId: string;
  readonly inputFileId: string | undefined;
  readonly createTimeMs: number;
  readonly expireTimeMs: number;
  cancel?: { timeMs: number; byXaiMessage: string | undefined };
  fileLoaded: boolean;
  readonly requests: RequestRecord[];
  readonly requestsById: Map<string, RequestRecord>;
  /** Finished requests in completion order; the index is the result's sequence. */
  readonly results: RequestRecord[];
  /** Requests are processed in insertion order, so everything before this index is finished. */
  nextToProcess: number;
  numSuccess: number;
  numError: number;
  /** Cost of succeeded requests by endpoint. */
  readonly costs: Map<string, { usdTicks: bigint; requestCount: number }>;
}

/** Receives each event before it is applied; a throw means it was not recorded and nothing changes. */
export type EventSink = (event: StoreEvent) => void;

/** Batches, their requests and results, in memory. */
export class Store {
  private readonly batchesById = new Map<string, BatchRecord>();
  private readonly batchList: BatchRecord[] = [];

  constructor(private readonly record: EventSink = () => {}) {}

  /** Records an event (durably, when persisted) and then applies it. */
  commit(event: StoreEvent): void {
    this.record(event);
    this.apply(event);
  }

  /** Applies an event without recording it: for replaying a journal. */
  apply(event: StoreEvent): void {
    switch (event.type) {
      case "batchCreated":
        this.createBatch(event);
        break;
      case "requestsAdded":
        this.addRequests(this.mustGet(event.batchId), event);
        break;
      case "requestsFinished":
        for (const finished of event.results) this.finish(finished, event.timeMs);
        break;
      case "batchCancelled":
        this.mustGet(event.batchId).cancel ??= { timeMs: event.timeMs, byXaiMessage: event.byXaiMessage };
        break;
    }
  }

  /**
   * Events that rebuild exactly this state in few records (requests and results grouped by time, at
   * most `groupSize` per event): what a compacted journal holds.
   */
  snapshot(groupSize = 10_000): StoreEvent[] {
    const events: StoreEvent[] = [];
    for (const batch of this.batchList) {
      const { id: batchId } = batch;
      events.push({
        type: "batchCreated",
        batchId,
        team: batch.team,
        name: batch.name,
        apiKeyId: batch.apiKeyId,
        inputFileId: batch.inputFileId,
        timeMs: batch.createTimeMs,
        expireTimeMs: batch.expireTimeMs,
      });
      for (const group of groupBy(batch.requests, (r) => r.createTimeMs, groupSize)) {
        events.push({ type: "requestsAdded", batchId, timeMs: group[0]!.createTimeMs, fromFile: false, requests: group });
      }
      if (batch.fileLoaded) events.push({ type: "requestsAdded", batchId, timeMs: batch.createTimeMs, fromFile: true, requests: [] });
      for (const group of groupBy(batch.results, (r) => r.finish!.timeMs, groupSize)) {
        events.push({
          type: "requestsFinished",
          timeMs: group[0]!.finish!.timeMs,
          results: group.map((r) => ({ batchId, seq: r.seq, result: r.finish!.result })),
        });
      }
      if (batch.cancel !== undefined)
        events.push({ type: "batchCancelled", batchId, timeMs: batch.cancel.timeMs, byXaiMessage: batch.cancel.byXaiMessage });
    }
    return events;
  }

  /** A batch by id, whatever its team or age. */
  get(batchId: string): BatchRecord | undefined {
    return this.batchesById.get(batchId);
  }

  /** Every batch in creation order; the index is the batch's sequence. */
  batches(): readonly BatchRecord[] {
    return this.batchList;
  }

  private createBatch(event: Extract<StoreEvent, { type: "batchCreated" }>): void {
    if (this.batchesById.has(event.batchId)) throw new Error(`batch ${event.batchId} is created twice`);
    const batch: BatchRecord = {
      seq: this.batchList.length,
      id: event.batchId,
      team: event.team,
      name: event.name,
      apiKeyId: event.apiKeyId,
      inputFileId: event.inputFileId,
      createTimeMs: event.timeMs,
      expireTimeMs: event.expireTimeMs,
      fileLoaded: false,
      requests: [],
      requestsById: new Map(),
      results: [],
      nextToProcess: 0,
      numSuccess: 0,
      numError: 0,
      costs: new Map(),
    };
    this.batchesById.set(batch.id, batch);
    this.batchList.push(batch);
  }

  private addRequests(batch: BatchRecord, event: Extract<StoreEvent, { type: "requestsAdded" }>): void {
    if (event.fromFile) batch.fileLoaded = true;
    for (const { id, endpoint, model, bytes } of event.requests) {
      // Replaying a damaged journal must fail rather than give a batch the same request twice.
      if (batch.requestsById.has(id)) throw new Error(`request ${id} is already in batch ${batch.id}`);
      const record: RequestRecord = { seq: batch.requests.length, id, endpoint, model, bytes, createTimeMs: event.timeMs };
      batch.requests.push(record);
      batch.requestsById.set(id, record);
    }
  }

  private finish(finished: FinishedRequest, timeMs: number): void {
    const batch = this.mustGet(finished.batchId);
    const record = batch.requests[finished.seq];
    if (record === undefined || record.finish !== undefined) throw new Error(`request ${finished.seq} of ${batch.id} cannot finish`);
    const { result } = finished;
    record.finish = { timeMs, result };
    batch.results.push(record);
    while (batch.requests[batch.nextToProcess]?.finish !== undefined) batch.nextToProcess++;
    if (!result.succeeded) {
      batch.numError++;
      return;
    }
    batch.numSuccess++;
    const cost = batch.costs.get(record.endpoint) ?? { usdTicks: 0n, requestCount: 0 };
    cost.usdTicks += result.costUsdTicks;
    cost.requestCount++;
    batch.costs.set(record.endpoint, cost);
  }

  private mustGet(batchId: string): BatchRecord {
    const batch = this.batchesById.get(batchId);
    if (batch === undefined) throw new Error(`event for unknown batch ${batchId}`);
    return batch;
  }
}

/** When a batch stopped taking and processing requests: cancelled or expired, whichever came first. */
export function closedAtMs(batch: BatchRecord): number {
  return Math.min(batch.cancel?.timeMs ?? Infinity, batch.expireTimeMs);
}

/** Whether a batch still takes and processes requests at `nowMs`. */
export function isOpen(batch: BatchRecord, nowMs: number): boolean {
  return nowMs < closedAtMs(batch);
}

/** Consecutive runs of items with the same key, each at most `size` long. */
function groupBy<T>(items: readonly T[], key: (item: T) => number, size: number): T[][] {
  const groups: T[][] = [];
  let current: T[] = [];
  for (const item of items) {
    if (current.length > 0 && (current.length === size || key(current[0]!) !== key(item))) {
      groups.push(current);
      current = [];
    }
    current.push(item);
  }
  if (current.length > 0) groups.push(current);
  return groups;
}
