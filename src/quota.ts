import type { Limits } from "./client-options.js";
import { sleep } from "./internal/sleep.js";
import { SlidingWindow } from "./internal/sliding-window.js";

/** The rate-limited kinds of call: batch creation and AddBatchRequests. */
export type QuotaKind = "create" | "add";

/** A slot for one call; release it when the call has finished, successfully or not. */
export interface Permit {
  release(): void;
  /**
   * Optional: told the moment the call's last request byte was handed to the socket (the library's own
   * connection observes it). The server counts the call when it arrives, shortly after, so a limiter may
   * anchor the slot there instead of at the release, which comes a whole call's processing later.
   */
  sent?(): void;
}

/**
 * Paces calls so the server never rejects one for rate. The in-memory implementation serves one process;
 * a shared store (Redis, say) can implement the same interface to pace several processes of one team.
 */
export interface QuotaLimiter {
  /** Resolves when a call of `kind` may be sent; rejects with the signal's reason if it aborts first. */
  acquire(kind: QuotaKind, signal?: AbortSignal): Promise<Permit>;
  /** Holds every call of `kind` until `untilMs` (epoch ms): the server said the quota is spent. */
  pause(kind: QuotaKind, untilMs: number): void;
  /**
   * Optional: a limiter that can pace several teams (one shared store, say) returns the view that paces
   * `scope`. A Client calls it once, with its API key's team and its limits, and uses what it returns.
   */
  forScope?(scope: QuotaScope): QuotaLimiter;
}

/** Whose quota a limiter paces, and at what rates: what a Client tells the limiter it is given. */
export interface QuotaScope {
  /** A stable id of the team that is not a secret: a hash of the API key, never the key itself. */
  readonly team: string;
  /** The rates the client keeps to, from its `limits`. */
  readonly rates: Readonly<Record<QuotaKind, Rate>>;
}

/** A limit of `limit` calls per rolling `windowMs`. */
export interface Rate {
  readonly limit: number;
  readonly windowMs: number;
}

/** Covers millisecond clock granularity between our clock and the server's accounting. */
const marginMs = 5;

/**
 * How long after a call's last request byte left this process the server may still count it: the
 * one-way delay plus the server's time from receiving a call to counting it (the emulator decodes it
 * first), less what the next call itself needs to arrive. The slot is anchored at the response if that
 * comes first. A server that counts later still costs one rejection, retried after its hint; from then
 * on the limiter anchors at responses only.
 */
export const sentMarginMs = 250;

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

/** The rolling-window rates that keep a client within `limits`, for this limiter or a shared one. */
export function ratesFor(limits: Readonly<Pick<Limits, "createPerSecond" | "addCallsPerWindow" | "addWindowMs">>): Record<QuotaKind, Rate> {
  return {
    // "N per second" as one per 1/N s: a burst of N in the same instant would exceed a per-second
    // limit counted over any sliding second, and xAI's 1/s is exactly this.
    create: { limit: 1, windowMs: Math.ceil(1_000 / limits.createPerSecond) },
    add: { limit: limits.addCallsPerWindow, windowMs: limits.addWindowMs },
  };
}
