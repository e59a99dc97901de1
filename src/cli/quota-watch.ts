import type { Permit, QuotaKind, QuotaLimiter, QuotaScope } from "../index.js";

/**
 * A quota limiter that reports how long calls have been held back, so a progress line can say "waiting
 * for add quota" while it happens (the library only reports a wait once it is over).
 */
export class QuotaWatch implements QuotaLimiter {
  private readonly waitingSince = new Map<QuotaKind, Set<{ readonly startMs: number }>>();

  constructor(
    private inner: QuotaLimiter,
    private readonly now: () => number = Date.now,
    private readonly onClose: () => Promise<void> = async () => {},
  ) {}

  /** Scopes the limiter it watches (a shared one learns the client's team) and stays the one the progress reads. */
  forScope(scope: QuotaScope): QuotaLimiter {
    this.inner = this.inner.forScope?.(scope) ?? this.inner;
    return this;
  }

  /** Closes what the watched limiter holds open (a Redis connection). */
  close(): Promise<void> {
    return this.onClose();
  }

  async acquire(kind: QuotaKind, signal?: AbortSignal): Promise<Permit> {
    const waiter = { startMs: this.now() };
    const waiters = this.waitingSince.get(kind) ?? new Set();
    this.waitingSince.set(kind, waiters);
    waiters.add(waiter);
    try {
      return await this.inner.acquire(kind, signal);
    } finally {
      waiters.delete(waiter);
    }
  }

  pause(kind: QuotaKind, untilMs: number): void {
    this.inner.pause(kind, untilMs);
  }

  /** How long the longest-waiting call of `kind` has waited so far; 0 when none waits. */
  waitingMs(kind: QuotaKind): number {
    let oldest = Infinity;
    for (const waiter of this.waitingSince.get(kind) ?? []) oldest = Math.min(oldest, waiter.startMs);
    return oldest === Infinity ? 0 : this.now() - oldest;
  }
}
