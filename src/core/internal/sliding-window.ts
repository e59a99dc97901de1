/**
 * Accounting for "at most `limit` calls in any rolling `windowMs`", as the server counts them: by arrival.
 * The client cannot see arrival. It sees two moments after it: the last byte of the request handed to the
 * socket (`sent`), after which the call reaches the server within a one-way delay, and the response, the
 * latest moment the server can have counted it. A slot is held open while its call is in flight, then
 * anchored at the earlier of `sent + sentMarginMs` and the response. A new call is admitted only when
 * fewer than `limit` anchored slots lie within the window (plus `marginMs` for clock granularity). Pure:
 * the caller passes the time.
 */
export class SlidingWindow {
  /** Anchors of the slots still inside the window, sorted; Infinity while the call is in flight. */
  private readonly ends: number[] = [];

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    readonly marginMs: number,
    /** How long after its request was sent the server may still count a call (see the class comment). */
    readonly sentMarginMs: number,
  ) {}

  /** The earliest time a new call may be sent: `nowMs` if now, Infinity until an in-flight call is anchored. */
  nextAdmissionMs(nowMs: number): number {
    this.expire(nowMs);
    if (this.ends.length < this.limit) return nowMs;
    // The slots are kept sorted, so the (length - limit + 1)-th oldest must leave the window first.
    const blocking = this.ends[this.ends.length - this.limit]!;
    return blocking + this.windowMs + this.marginMs;
  }

  /** Takes a slot for a call being sent now; returns a handle to anchor it with. */
  admit(nowMs: number): WindowSlot {
    if (this.nextAdmissionMs(nowMs) > nowMs) throw new Error("SlidingWindow.admit called while the window is full");
    this.ends.push(Infinity);
    let anchor = Infinity;
    // Only ever moves earlier: both moments are upper bounds on when the server counted the call.
    const anchorAt = (atMs: number) => {
      if (atMs >= anchor) return;
      const index = this.ends.indexOf(anchor);
      anchor = atMs;
      // Not there: it has left the window already, and an earlier anchor would not bring it back.
      if (index === -1) return;
      this.ends.splice(index, 1);
      this.insertSorted(atMs);
    };
    return {
      sent: (atMs) => anchorAt(atMs + this.sentMarginMs),
      complete: (atMs) => anchorAt(atMs),
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

/** One admitted call's place in the window. */
export interface WindowSlot {
  /** The call's last request byte was handed to the socket at `atMs`. */
  sent(atMs: number): void;
  /** The call's response (or failure) came at `atMs`. */
  complete(atMs: number): void;
}
