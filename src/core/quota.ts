/** The rate-limited kinds of call: batch creation and AddBatchRequests. */
export type QuotaKind = "create" | "add";

/** A slot for one call; release it when the call has finished, successfully or not. */
export interface Permit {
  release(): void;
  /**
   * Optional: told the moment the call's last request byte was handed to the socket (the library's own
   * connection observes it). The server counts the call when it arrives, shortly after, so a limiter may
   * anchor the slot there instead of at the release, which comes a whole call's processing later.
   */
  sent?(): void;
}

/**
 * Paces calls so the server never rejects one for rate. The in-memory implementation serves one process;
 * a shared store (Redis, say) can implement the same interface to pace several processes of one team.
 */
export interface QuotaLimiter {
  /** Resolves when a call of `kind` may be sent; rejects with the signal's reason if it aborts first. */
  acquire(kind: QuotaKind, signal?: AbortSignal): Promise<Permit>;
  /** Holds every call of `kind` until `untilMs` (epoch ms): the server said the quota is spent. */
  pause(kind: QuotaKind, untilMs: number): void;
  /**
   * Optional: a limiter that can pace several teams (one shared store, say) returns the view that paces
   * `scope`. A Client calls it once, with its API key's team and its limits, and uses what it returns.
   */
  forScope?(scope: QuotaScope): QuotaLimiter;
}

/** Whose quota a limiter paces, and at what rates: what a Client tells the limiter it is given. */
export interface QuotaScope {
  /** A stable id of the team that is not a secret: a hash of the API key, never the key itself. */
  readonly team: string;
  /** The rates the client keeps to, from its `limits`. */
  readonly rates: Readonly<Record<QuotaKind, Rate>>;
}

/** A limit of `limit` calls per rolling `windowMs`. */
export interface Rate {
  readonly limit: number;
  readonly windowMs: number;
}
