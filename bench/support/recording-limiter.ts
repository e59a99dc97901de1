import type { Permit, QuotaKind, QuotaLimiter } from "../../src/index.js";

/** When each call was let go, when its request had been written (if the limiter was told), and when it completed (ms, performance.now()). */
export interface CallTimes {
  readonly sent: number[];
  readonly written?: number[];
  readonly done: number[];
}

/** The library's own limiter, recording when each add call is let go and when it completes. */
export class RecordingLimiter implements QuotaLimiter {
  times: CallTimes = { sent: [], done: [] };

  constructor(private readonly inner: QuotaLimiter) {}

  async acquire(kind: QuotaKind, signal?: AbortSignal): Promise<Permit> {
    const permit = await this.inner.acquire(kind, signal);
    if (kind !== "add") return permit;
    const times = this.times;
    times.sent.push(performance.now());
    return {
      ...(permit.sent && {
        sent() {
          permit.sent!();
          times.written?.push(performance.now());
        },
      }),
      release() {
        permit.release();
        times.done.push(performance.now());
      },
    };
  }

  pause(kind: QuotaKind, untilMs: number): void {
    this.inner.pause(kind, untilMs);
  }
}
