import { InputError } from "../core/errors.js";

/**
 * Where the emulator reads the time and schedules its work: processing, file loads, injected latency,
 * rate-limit windows, expiry and timestamps all go through it. Connection ages
 * (`faults.maxConnectionAgeMs`) and the grace period of `stop()` are real time whatever the clock.
 */
export interface EmulatorClock {
  /** The time, in milliseconds since the epoch. */
  now(): number;
  /** Runs `callback` once `delayMs` have passed on this clock; the function returned cancels it. */
  schedule(delayMs: number, callback: () => void): () => void;
}

/** Real time. Its timers are unref'd, so an emulator never keeps a process alive. */
export const realClock: EmulatorClock = {
  now: () => Date.now(),
  schedule(delayMs, callback) {
    const timer = setTimeout(callback, delayMs);
    timer.unref();
    return () => clearTimeout(timer);
  },
};

interface ManualTimer {
  readonly dueMs: number;
  readonly callback: () => void;
}

/**
 * A clock that moves only when told to, for testing expiry, rate limits, latency and the pace of
 * processing without waiting for them: pass it as `startEmulator({ clock })` and call `advance`.
 *
 * @example
 * const clock = new ManualClock();
 * const emulator = await startEmulator({ clock, expireAfterMs: 60_000 });
 * // ... create a batch and add requests ...
 * await clock.advance(60_000); // the batch has expired; its pending requests are cancelled
 */
export class ManualClock implements EmulatorClock {
  private current: number;
  private readonly timers: ManualTimer[] = [];
  private advancing: Promise<void> = Promise.resolve();

  /** Starts at `startMs` (milliseconds since the epoch), by default the real time when it is made. */
  constructor(startMs: number = Date.now()) {
    if (!Number.isSafeInteger(startMs) || startMs < 0) throw new InputError(`Expected \`startMs\` to be an integer >= 0, got ${startMs}`);
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  schedule(delayMs: number, callback: () => void): () => void {
    const timer: ManualTimer = { dueMs: this.current + Math.max(0, delayMs), callback };
    // Kept sorted by due time, timers due at the same time in the order they were set: advance takes the first.
    const at = this.timers.findIndex((t) => t.dueMs > timer.dueMs);
    this.timers.splice(at === -1 ? this.timers.length : at, 0, timer);
    return () => {
      const index = this.timers.indexOf(timer);
      if (index !== -1) this.timers.splice(index, 1);
    };
  }

  /**
   * Moves the time on by `ms`. Each timer that falls due on the way runs at its own time, in order, and
   * what it starts (a delayed call going on, the next round of processing) runs before the next one, so
   * advancing 1000 ms at once does what a second of real time would. Calls still on their way to the
   * emulator are not waited for: await `emulator.waitFor` first. Advances asked for while one is
   * running take their turn after it.
   */
  advance(ms: number): Promise<void> {
    if (!Number.isFinite(ms) || ms < 0) throw new InputError(`Expected \`ms\` to be a finite number >= 0, got ${ms}`);
    const run = this.advancing.then(() => this.run(ms));
    this.advancing = run.catch(() => {});
    return run;
  }

  private async run(ms: number): Promise<void> {
    const target = this.current + ms;
    for (let next = this.timers[0]; next !== undefined && next.dueMs <= target; next = this.timers[0]) {
      this.timers.shift();
      this.current = next.dueMs;
      next.callback();
      await nextTurn();
    }
    this.current = target;
  }
}

/** Resolves after the promise chains started so far have run to their next wait on I/O or a timer. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
