/** The answer of a limiter: admitted (and counted), or refused with the exact wait until it would be. */
export type Admission = { admitted: true } | { admitted: false; retryAfterMs: number };

/** At most `capacity` admissions in any rolling `windowMs`, per key (a team). A `windowMs` of 0 admits all. */
export interface WindowLimit {
  capacity: number;
  windowMs: number;
}

/**
 * Sliding-window accounting per key. Only admitted calls are recorded, so a refused call never pushes
 * the next admission further away; the wait it reports is until the oldest admission in the window
 * leaves it, which is exactly when a call would be admitted again.
 */
export class SlidingWindowLimiter {
  private readonly admissions = new Map<string, number[]>();

  constructor(
    private readonly limit: WindowLimit,
    private readonly now: () => number,
  ) {}

  /** Admits and records one call for `key` now, or says how long until one would be admitted. */
  tryAdmit(key: string): Admission {
    if (this.limit.windowMs === 0) return { admitted: true };
    const now = this.now();
    const times = this.recent(key, now);
    if (times.length < this.limit.capacity) {
      times.push(now);
      return { admitted: true };
    }
    return { admitted: false, retryAfterMs: times[times.length - this.limit.capacity]! + this.limit.windowMs - now };
  }

  private recent(key: string, now: number): number[] {
    let times = this.admissions.get(key);
    if (times === undefined) {
      times = [];
      this.admissions.set(key, times);
    }
    // An admission at t counts for calls in [t, t + windowMs).
    while (times.length > 0 && times[0]! <= now - this.limit.windowMs) times.shift();
    return times;
  }
}
