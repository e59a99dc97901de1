import { InputError } from "../../core/errors.js";
import type { BatchRequest } from "../../core/internal/wire.js";
import type { SkippedRequest } from "../../views/add-progress.js";
import type { ChatEncoder } from "../wire/chat-encoder.js";
import { RequestEncoder, type EncodedRequest } from "../wire/encoded-request.js";
import { ChunkPlanner, envelopeSize } from "./chunking.js";
import { InputGroups } from "./input-groups.js";
import type { PresentIds } from "./present-ids.js";

/** How an add reads, checks and packs its input; see AddOptions (src/resources/batches/options.ts) for the public documentation. */
export interface PlanSettings {
  readonly maxAddBytes: number;
  readonly maxRequestsPerCall: number;
  readonly autoIds: boolean;
  readonly oversize: "error" | "skip";
  /** The normaliser: one input to its BatchRequest, validated. */
  readonly toRequest: (input: unknown, index: number) => BatchRequest;
  /** Encodes the common chat requests to the bytes `toRequest` and toBinary would give, in their stead. */
  readonly chatEncoder?: ChatEncoder;
  /** Told of each invalid request, which is then left out; undefined stops the add at the first. */
  readonly onInvalid: ((error: InputError, input: unknown) => void) | undefined;
  readonly onSkip: ((skipped: SkippedRequest) => void) | undefined;
}

/** The counts of an add that planning moves. */
export interface PlanCounts {
  requestsRead: number;
  skipped: number;
  invalid: number;
  alreadyPresent: number;
}

/** One AddBatchRequests call ready to send: its requests in input order, and its encoded size. */
export interface PlannedCall {
  readonly requests: EncodedRequest[];
  readonly bytes: number;
}

/**
 * Reads the input and yields calls ready to send, each encoded once and packed by exact size, leaving out
 * the requests the batch already holds (`present`). An array is checked whole before the first call is
 * planned; a stream as it is read, `beforeFirstCall` running once its first group is checked. Reads
 * only as far as the calls taken from it, so memory stays bounded by the calls in flight.
 */
export async function* planCalls(
  batchId: string,
  input: Iterable<unknown> | AsyncIterable<unknown>,
  settings: PlanSettings,
  progress: PlanCounts,
  present: PresentIds,
  beforeFirstCall: () => Promise<void>,
): AsyncGenerator<PlannedCall> {
  const onInvalid = settings.onInvalid;
  const encoder = new RequestEncoder(
    settings.toRequest,
    settings.autoIds,
    onInvalid &&
      ((error, request) => {
        progress.requestsRead++;
        progress.invalid++;
        onInvalid(error, request);
      }),
    settings.chatEncoder,
  );
  const planner = new ChunkPlanner({ maxBytes: settings.maxAddBytes, maxRequests: settings.maxRequestsPerCall }, envelopeSize(batchId));
  const packer = new CallPacker(planner, settings, progress, present);
  if (Array.isArray(input)) {
    packer.take(encodeAll(input, encoder, planner, settings));
    await beforeFirstCall();
    for (let call = packer.nextCall(); call !== undefined; call = packer.nextCall()) yield call;
  } else {
    const groups = new InputGroups(input, groupSize);
    let failed = false;
    try {
      for (let index = 0; ; ) {
        const group = await groups.read();
        if (group.length === 0) break;
        packer.take(encoder.encodeMany(group, index));
        // After the first group is checked, so bad input is refused before any call.
        if (index === 0) await beforeFirstCall();
        index += group.length;
        for (let call = packer.nextCall(); call !== undefined; call = packer.nextCall()) yield call;
      }
    } catch (error) {
      failed = true;
      throw error;
    } finally {
      await groups.close(failed);
    }
  }
  const last = packer.lastCall();
  if (last !== undefined) yield last;
}

/** The encoded size of a call of `requests`, for what is left of a planned call after some of it was confirmed. */
export function callBytes(batchId: string, requests: readonly EncodedRequest[]): number {
  const planner = new ChunkPlanner({ maxBytes: Infinity, maxRequests: Infinity }, envelopeSize(batchId));
  for (const r of requests) planner.add(r.bytes.length);
  return planner.reset();
}

/**
 * Packs encoded requests into calls in input order, leaving out (and counting) those too large to send
 * and those the batch holds. A plain object rather than a loop in planCalls, for the reason
 * InputGroups gives; it stops at each full call, so a call is sent before the requests after it are judged.
 */
class CallPacker {
  private call: EncodedRequest[] = [];
  private requests: readonly EncodedRequest[] = [];
  private at = 0;

  constructor(
    private readonly planner: ChunkPlanner,
    private readonly settings: PlanSettings,
    private readonly progress: PlanCounts,
    private readonly present: PresentIds,
  ) {}

  /** The next requests to pack, once `nextCall` has packed those before. */
  take(requests: readonly EncodedRequest[]): void {
    this.requests = requests;
    this.at = 0;
  }

  /** Packs the requests taken until one does not fit the call being built; returns that call, full, or undefined once all are packed. */
  nextCall(): PlannedCall | undefined {
    const { planner, settings, progress } = this;
    while (this.at < this.requests.length) {
      const request = this.requests[this.at++]!;
      progress.requestsRead++;
      if (!planner.fitsAlone(request.bytes.length)) {
        const skipped = { index: request.index, batchRequestId: request.id, bytes: request.bytes.length, limit: settings.maxAddBytes };
        if (settings.oversize === "error") throw oversizeError(skipped);
        progress.skipped++;
        settings.onSkip?.(skipped);
        continue;
      }
      if (request.id !== undefined && this.present.has(request.id)) {
        progress.alreadyPresent++;
        continue;
      }
      let full: PlannedCall | undefined;
      if (!planner.fits(request.bytes.length)) {
        full = { requests: this.call, bytes: planner.reset() };
        this.call = [];
      }
      planner.add(request.bytes.length);
      this.call.push(request);
      if (full !== undefined) return full;
    }
    return undefined;
  }

  /** The call being built, if it holds any request. */
  lastCall(): PlannedCall | undefined {
    if (this.call.length === 0) return undefined;
    const last = { requests: this.call, bytes: this.planner.reset() };
    this.call = [];
    return last;
  }
}

function encodeAll(input: readonly unknown[], encoder: RequestEncoder, planner: ChunkPlanner, settings: PlanSettings): EncodedRequest[] {
  const all: EncodedRequest[] = [];
  for (let at = 0; at < input.length; at += groupSize) all.push(...encoder.encodeMany(input.slice(at, at + groupSize), at));
  if (settings.oversize === "error") {
    const tooLarge = all.find((r) => !planner.fitsAlone(r.bytes.length));
    if (tooLarge !== undefined)
      throw oversizeError({
        index: tooLarge.index,
        batchRequestId: tooLarge.id,
        bytes: tooLarge.bytes.length,
        limit: settings.maxAddBytes,
      });
  }
  return all;
}

/** Requests encoded together: enough to amortise an encoder's buffer growth, few enough to stay small. */
const groupSize = 256;

function oversizeError(r: SkippedRequest): InputError {
  return new InputError({
    index: r.index,
    batchRequestId: r.batchRequestId,
    reason: `encodes to ${r.bytes} bytes; one AddBatchRequests call may carry at most ${r.limit} bytes`,
    fix: 'Shorten it, pass large media by URL, or use `oversize: "skip"` to add the rest without it',
  });
}
