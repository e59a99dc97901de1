import type { EmulatorClock } from "./clock.js";

/**
 * The emulator's timers on its clock, and the calls it is handling: together they say when nothing is
 * left to happen before the clock moves on (`settled`). Timers are cleared together when the emulator
 * stops, so no processing, file load or injected latency outlives it.
 */
export class Timers {
  /** Each pending timer's cancel function and due time. */
  private readonly pending = new Map<() => void, number>();
  private callsInFlight = 0;
  private stopped = false;
  private waiters: (() => void)[] = [];

  /** `onError` receives what a callback throws, which would otherwise crash the process. */
  constructor(
    private readonly clock: EmulatorClock,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Runs `callback` after `delayMs` unless cleared first. */
  after(delayMs: number, callback: () => void): void {
    const cancel = this.clock.schedule(delayMs, () => {
      this.pending.delete(cancel);
      try {
        callback();
      } catch (error) {
        this.onError(error);
      }
      this.check();
    });
    this.pending.set(cancel, this.clock.now() + delayMs);
  }

  /** Resolves after `delayMs`; never resolves if cleared first. */
  sleep(delayMs: number): Promise<void> {
    return new Promise((resolve) => this.after(delayMs, resolve));
  }

  /** Counts a call from its arrival; the function returned marks it answered. */
  callStarted(): () => void {
    this.callsInFlight++;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.callsInFlight--;
      this.check();
    };
  }

  /** Resolves once no call is in flight and no timer is due, or the emulator has stopped. */
  settled(): Promise<void> {
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      this.check();
    });
  }

  /**
   * Cancels every pending timer, for good: the emulator is stopping. A call waiting on one of them is
   * never answered, so `settled` no longer waits for calls.
   */
  stop(): void {
    this.stopped = true;
    for (const cancel of this.pending.keys()) cancel();
    this.pending.clear();
    this.check();
  }

  private check(): void {
    if (this.waiters.length === 0 || (this.callsInFlight > 0 && !this.stopped)) return;
    const now = this.clock.now();
    for (const dueMs of this.pending.values()) if (dueMs <= now) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}
