/**
 * Promises that resolve once a condition holds: the code that changes what the condition reads calls
 * `recheck()`, so a test waits on the change itself instead of polling or sleeping.
 */
export class Conditions {
  private readonly waiting: { holds: () => boolean; resolve: () => void }[] = [];

  /** Resolves once `holds()` is true: at once if it is now, else at the first `recheck()` that finds it. */
  when(holds: () => boolean): Promise<void> {
    if (holds()) return Promise.resolve();
    return new Promise((resolve) => this.waiting.push({ holds, resolve }));
  }

  recheck(): void {
    for (const waiter of this.waiting.filter((w) => w.holds())) {
      this.waiting.splice(this.waiting.indexOf(waiter), 1);
      waiter.resolve();
    }
  }
}
