/**
 * Accounting for "at most `limit` calls in any rolling `windowMs`", as the server counts them: by arrival.
 * The client cannot see arrival, only that it happened between sending and the response, so a slot is
 * held open while its call is in flight and then anchored at the response time, the latest moment the
 * server can have counted it. A new call is admitted only when fewer than `limit` anchored slots lie
 * within the window (plus `marginMs` for clock granularity), which keeps the server's count under the
 * limit whatever the network jitter. Pure: the caller passes the time.
 */
export class SlidingWindow {
  /** End times of the slots still inside the window; Infinity while the call is in flight. */
  private readonly ends: number[] = [];

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    readonly marginMs: number,
  ) {}

  /** The earliest time a new call may be sent: `nowMs` if now, Infinity until an in-flight call completes. */
  nextAdmissionMs(nowMs: number): number {
    this.expire(nowMs);
    if (this.ends.length < this.limit) return nowMs;
    // The slots are kept sorted, so the (length - limit + 1)-th oldest must leave the window first.
    const blocking = this.ends[this.ends.length - this.limit]!;
    return blocking + this.windowMs + this.marginMs;
  }

  /** Takes a slot for a call being sent now; returns a handle to complete it with. */
  admit(nowMs: number): { complete(atMs: number): void } {
    if (this.nextAdmissionMs(nowMs) > nowMs) throw new Error("SlidingWindow.admit called while the window is full");
    this.ends.push(Infinity);
    let done = false;
    return {
      complete: (atMs: number) => {
        if (done) return;
        done = true;
        const index = this.ends.indexOf(Infinity);
        this.ends.splice(index, 1);
        this.insertSorted(atMs);
      },
    };
  }

  /** Calls counted in the window at `nowMs`, in flight included. */
  inWindow(nowMs: number): number {
    this.expire(nowMs);
    return this.ends.length;
  }

  private expire(nowMs: number): void {
    while (this.ends.length > 0 && this.ends[0]! + this.windowMs + this.marginMs <= nowMs) this.ends.shift();
  }

  private insertSorted(atMs: number): void {
    let i = this.ends.length;
    while (i > 0 && this.ends[i - 1]! > atMs) i--;
    this.ends.splice(i, 0, atMs);
  }
}
