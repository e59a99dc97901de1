import { decodeStoredRequest, storedResult } from "./encoded.js";
import type { FakeModel } from "./fake-model.js";
import { isOpen, type BatchRecord, type FinishedRequest, type Store } from "./store.js";
import type { Timers } from "./timers.js";

/** Shortest pause between two rounds of processing; at high rates one round finishes several requests. */
const minTickMs = 10;

/** What the processor reports after each round, e.g. to count outcomes. */
export type FinishedListener = (finished: readonly FinishedRequest[]) => void;

/**
 * Works through pending requests at `requestsPerSecond`: first in, first out within a batch, one request
 * per batch in turn across batches, so a large batch does not starve a small one. Each round's results
 * are committed as one store event, which keeps journal writes few at high rates.
 */
export class Processor {
  private readonly queue: BatchRecord[] = [];
  private readonly queued = new Set<BatchRecord>();
  private credit = 0;
  private lastTickMs = 0;
  private scheduled = false;
  private readonly tickMs: number;

  constructor(
    private readonly store: Store,
    private readonly model: FakeModel,
    private readonly requestsPerSecond: number,
    private readonly timers: Timers,
    private readonly now: () => number,
    private readonly onFinished: FinishedListener,
  ) {
    this.tickMs = requestsPerSecond === 0 ? 0 : Math.max(minTickMs, 1000 / requestsPerSecond);
  }

  /** Makes sure a batch that has pending requests takes its turns. */
  enqueue(batch: BatchRecord): void {
    if (this.queued.has(batch) || this.requestsPerSecond === 0 || batch.nextToProcess >= batch.requests.length) return;
    this.queued.add(batch);
    this.queue.push(batch);
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled || this.queue.length === 0) return;
    if (this.lastTickMs === 0) this.lastTickMs = this.now();
    this.scheduled = true;
    this.timers.after(this.tickMs, () => {
      this.scheduled = false;
      try {
        this.tick();
      } finally {
        this.schedule();
      }
    });
  }

  private tick(): void {
    const now = this.now();
    // Credit earned while timers ran late is kept, but capped so an idle pause never turns into a burst.
    this.credit = Math.min(
      this.credit + ((now - this.lastTickMs) * this.requestsPerSecond) / 1000,
      Math.max(1, this.requestsPerSecond / 10),
    );
    this.lastTickMs = now;
    const finished: FinishedRequest[] = [];
    const taken = new Map<BatchRecord, number>();
    while (this.credit >= 1 && this.queue.length > 0) {
      const batch = this.queue.shift()!;
      const seq = batch.nextToProcess + (taken.get(batch) ?? 0);
      const record = batch.requests[seq];
      if (record === undefined || !isOpen(batch, now)) {
        this.queued.delete(batch);
        continue;
      }
      finished.push({ batchId: batch.id, seq, result: storedResult(this.model.answer(batch.id, decodeStoredRequest(record.bytes), now)) });
      taken.set(batch, (taken.get(batch) ?? 0) + 1);
      this.queue.push(batch);
      this.credit--;
    }
    if (this.queue.length === 0) {
      this.credit = 0;
      this.lastTickMs = 0;
    }
    if (finished.length === 0) return;
    this.store.commit({ type: "requestsFinished", timeMs: now, results: finished });
    this.onFinished(finished);
  }
}
