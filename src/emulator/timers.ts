/**
 * The emulator's timers, unref'd so they never keep a process alive, and cleared together when it stops
 * so no processing, file load or injected latency outlives it.
 */
export class Timers {
  private readonly pending = new Set<NodeJS.Timeout>();

  /** `onError` receives what a callback throws, which would otherwise crash the process. */
  constructor(private readonly onError: (error: unknown) => void) {}

  /** Runs `callback` after `delayMs` unless cleared first. */
  after(delayMs: number, callback: () => void): void {
    const timer = setTimeout(() => {
      this.pending.delete(timer);
      try {
        callback();
      } catch (error) {
        this.onError(error);
      }
    }, delayMs);
    timer.unref();
    this.pending.add(timer);
  }

  /** Resolves after `delayMs`; never resolves if cleared first. */
  sleep(delayMs: number): Promise<void> {
    return new Promise((resolve) => this.after(delayMs, resolve));
  }

  /** Cancels every pending timer. */
  clear(): void {
    for (const timer of this.pending) clearTimeout(timer);
    this.pending.clear();
  }
}
