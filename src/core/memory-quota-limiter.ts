import { ratesFor, sentMarginMs } from "./internal/pacing.js";
import { sleep } from "./internal/sleep.js";
import { SlidingWindow } from "./internal/sliding-window.js";
import type { Limits } from "./limits.js";
import type { Permit, QuotaKind, QuotaLimiter, Rate } from "./quota.js";

/** Covers millisecond clock granularity between our clock and the server's accounting. */
const marginMs = 5;

/** FIFO pacing in one process: callers wait in arrival order, so a stream of adds cannot starve a create. */
export class MemoryQuotaLimiter implements QuotaLimiter {
  private readonly lanes: Record<QuotaKind, Lane>;

  constructor(rates: Record<QuotaKind, Rate>, now: () => number = Date.now) {
    this.lanes = {
      create: new Lane(new SlidingWindow(rates.create.limit, rates.create.windowMs, marginMs, sentMarginMs), now),
      add: new Lane(new SlidingWindow(rates.add.limit, rates.add.windowMs, marginMs, sentMarginMs), now),
    };
  }

  /** The limiter that paces one process to a team's `limits` (the Client's default). */
  static fromLimits(limits: Readonly<Pick<Limits, "createPerSecond" | "addCallsPerWindow" | "addWindowMs">>): MemoryQuotaLimiter {
    return new MemoryQuotaLimiter(ratesFor(limits));
  }

  acquire(kind: QuotaKind, signal?: AbortSignal): Promise<Permit> {
    return this.lanes[kind].acquire(signal);
  }

  pause(kind: QuotaKind, untilMs: number): void {
    this.lanes[kind].pause(untilMs);
  }
}

class Lane {
  private pausedUntilMs = 0;
  /** Cleared by the first rejection: this server counts later than `sentMarginMs` after the write. */
  private anchorAtWrite = true;
  private queue: Promise<void> = Promise.resolve();
  private wake: (() => void) | undefined;

  constructor(
    private readonly window: SlidingWindow,
    private readonly now: () => number,
  ) {}

  acquire(signal?: AbortSignal): Promise<Permit> {
    // Chaining on `queue` gives first-come first-served admission; an aborted waiter leaves the chain
    // without blocking those behind it.
    const turn = this.queue.then(() => this.waitForSlot(signal));
    this.queue = turn.then(
      () => undefined,
      () => undefined,
    );
    return signal === undefined ? turn : untilAborted(turn, signal);
  }

  pause(untilMs: number): void {
    this.pausedUntilMs = Math.max(this.pausedUntilMs, untilMs);
    this.anchorAtWrite = false;
  }

  private async waitForSlot(signal?: AbortSignal): Promise<Permit> {
    for (;;) {
      if (signal?.aborted) throw signal.reason;
      const now = this.now();
      const at = Math.max(this.window.nextAdmissionMs(now), this.pausedUntilMs);
      if (at <= now) {
        const slot = this.window.admit(now);
        return {
          sent: () => {
            if (!this.anchorAtWrite) return;
            slot.sent(this.now());
            this.wake?.();
          },
          release: () => {
            slot.complete(this.now());
            this.wake?.();
          },
        };
      }
      await (at === Infinity ? this.untilReleased(signal) : sleep(at - now, signal));
    }
  }

  private untilReleased(signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const onAbort = () => reject(signal?.reason);
      this.wake = () => {
        this.wake = undefined;
        signal?.removeEventListener("abort", onAbort);
        resolve();
      };
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }
}

/**
 * Rejects as soon as `signal` aborts, even while earlier waiters still hold the queue (the turn itself only
 * sees the abort when it comes up); a permit granted after the abort is given back.
 */
function untilAborted(turn: Promise<Permit>, signal: AbortSignal): Promise<Permit> {
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
    turn.then(
      (permit) => {
        signal.removeEventListener("abort", onAbort);
        if (signal.aborted) permit.release();
        else resolve(permit);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
