import { defaultTimeoutsMs, type RpcName } from "../../core/timeouts.js";

/**
 * Picks the deadline of one call: the per-call value wins over the client's, which wins over the RPC's
 * default. `0` means no deadline and comes back as undefined, which sends no `grpc-timeout`.
 */
export function resolveTimeoutMs(rpc: RpcName, perCallMs: number | undefined, clientMs: number | undefined): number | undefined {
  return msOrNone(perCallMs ?? clientMs ?? defaultTimeoutsMs[rpc]);
}

/** The one reading of every timeout option: `0` (like unset) means none. */
export function msOrNone(ms: number | undefined): number | undefined {
  return ms === 0 ? undefined : ms;
}

/** An absolute point in time that several attempts or calls share, so retries never extend the caller's budget. */
export class Deadline {
  private constructor(
    private readonly atMs: number | undefined,
    private readonly now: () => number,
  ) {}

  /** A deadline `timeoutMs` from now; undefined or `0` means none. */
  static after(timeoutMs: number | undefined, now: () => number = Date.now): Deadline {
    const ms = msOrNone(timeoutMs);
    return new Deadline(ms === undefined ? undefined : now() + ms, now);
  }

  /** The earliest of some deadlines; undefined ones and those without a time do not bound. */
  static earliest(...deadlines: (Deadline | undefined)[]): Deadline {
    let best = Deadline.#none;
    for (const d of deadlines) {
      if (d?.atMs !== undefined && (best.atMs === undefined || d.atMs < best.atMs)) best = d;
    }
    return best;
  }

  /** No deadline, shared: without a time there is nothing to read the clock for. */
  static readonly #none = new Deadline(undefined, Date.now);

  /** Milliseconds left (at least 1 while not expired), or undefined when there is no deadline. */
  remainingMs(): number | undefined {
    if (this.atMs === undefined) return undefined;
    return Math.max(0, this.atMs - this.now());
  }

  /** True once the deadline has passed. */
  get expired(): boolean {
    return this.atMs !== undefined && this.now() >= this.atMs;
  }
}
