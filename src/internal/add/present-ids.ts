import { Code } from "@connectrpc/connect";
import { ApiError } from "../../core/errors.js";

/** One page of a batch's request ids and the token of the next, undefined on the last page. */
export interface IdPage {
  readonly ids: readonly string[];
  readonly nextToken: string | undefined;
}

/** How a server refuses a page token it no longer honours. */
const refusedToken = new Set([Code.InvalidArgument, Code.FailedPrecondition, Code.NotFound]);

/**
 * What a batch holds, as far as an add needs to know: the request ids seen in its listing, kept up to
 * date by reading only what was appended since. Where the listing is in insertion order and a page token
 * resumes right after the items already served (as the emulator's does), re-reading from the token of
 * the last page seen shows every id added since at the cost of that page and the new ones: reconciling
 * an add costs pages in proportion to what was added meanwhile, not calls × batch size. A `full` refresh
 * reads from the start, for when a resumed listing cannot explain what the server says (a token that
 * expired, a listing in another order). Refreshes run one at a time; callers share one that began late
 * enough for them.
 */
export class PresentIds {
  private readonly ids = new Set<string>();
  /** Token of the page the last refresh ended on; undefined means the start of the listing. */
  private resumeToken: string | undefined;
  /** The refresh under way, or the last one. */
  private current: { startedAt: number; full: boolean; done: Promise<void> } | undefined;

  constructor(
    private readonly listPage: (token: string | undefined) => Promise<IdPage>,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether the batch was seen holding `id`. */
  has(id: string): boolean {
    return this.ids.has(id);
  }

  /** Which of `ids` the batch holds, by a refresh that began no earlier than `notBeforeMs` (from the start, if `full`). */
  async which(ids: ReadonlySet<string>, notBeforeMs: number, full = false): Promise<Set<string>> {
    await this.refresh(notBeforeMs, full);
    const present = new Set<string>();
    for (const id of ids) if (this.ids.has(id)) present.add(id);
    return present;
  }

  /** Ensures a refresh that began no earlier than `notBeforeMs` (and from the start, if `full`) has completed. */
  async refresh(notBeforeMs: number, full = false): Promise<void> {
    for (;;) {
      const current = this.current;
      if (current !== undefined) {
        const settled = await current.done.then(
          () => true,
          (error: unknown) => {
            if (current.startedAt >= notBeforeMs) throw error;
            return false;
          },
        );
        if (settled && current.startedAt >= notBeforeMs && (current.full || !full)) return;
        if (this.current !== current) continue; // another caller already started the next one
      }
      const next = { startedAt: this.now(), full, done: this.read(full) };
      this.current = next;
      // A failure reaches the callers awaiting this refresh; a later caller starts afresh.
      next.done.catch(() => {
        if (this.current === next) this.current = undefined;
      });
    }
  }

  private async read(full: boolean): Promise<void> {
    let token = full ? undefined : this.resumeToken;
    for (;;) {
      let page: IdPage;
      try {
        page = await this.listPage(token);
      } catch (error) {
        // A kept token the server no longer takes (expired, another server's): list from the start.
        if (token === undefined || !(error instanceof ApiError) || !refusedToken.has(error.code)) throw error;
        token = undefined;
        continue;
      }
      for (const id of page.ids) this.ids.add(id);
      // The next page unread, or on the last page this one again: later refreshes, and a retry after a
      // failure, read on from here without reading the pages before it again.
      this.resumeToken = page.nextToken ?? token;
      if (page.nextToken === undefined) return;
      token = page.nextToken;
    }
  }
}
