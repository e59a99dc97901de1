import { Code } from "@connectrpc/connect";
import { ApiError } from "../core/errors.js";

/** How long a batch this client just created is given to become visible (read-after-write lag). */
export const createdGraceMs = 30_000;
/**
 * The grace for any other batch: long enough for one created a moment ago by another process (e.g.
 * `xai-batch create` then `xai-batch add`), short enough that a wrong id fails in seconds.
 */
export const otherGraceMs = 2_000;

/**
 * The batches this client created in the last `createdGraceMs`: only they get the long NOT_FOUND grace,
 * so a mistyped id fails fast instead of being retried for half a minute.
 */
export class RecentBatches {
  private readonly createdAt = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Records a batch this client just created. */
  created(batchId: string): void {
    const now = this.now();
    for (const [id, at] of this.createdAt) if (now - at >= createdGraceMs) this.createdAt.delete(id);
    this.createdAt.set(batchId, now);
  }

  /** How long, from now, a NOT_FOUND for this batch may still be read-after-write lag. */
  notFoundGraceMs(batchId: string): number {
    const at = this.createdAt.get(batchId);
    return at === undefined ? otherGraceMs : Math.max(otherGraceMs, at + createdGraceMs - this.now());
  }
}

/** Errors already explained: an add's listing and the add itself both pass through `explainNotFound`. */
const explained = new WeakSet<ApiError>();

/**
 * A NOT_FOUND about a batch gets the id and what to check added to its message (`rawMessage` stays the
 * server's). Other errors pass through.
 */
export function explainNotFound(error: unknown, batchId: string): unknown {
  if (error instanceof ApiError && error.code === Code.NotFound && !explained.has(error)) {
    explained.add(error);
    error.message +=
      `. Batch ${JSON.stringify(batchId)} is not known to the server: check the id (client.batch.list() lists the team's ` +
      "batches) and that the API key belongs to the team that created it.";
  }
  return error;
}
