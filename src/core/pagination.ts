import { Code } from "@connectrpc/connect";
import { ApiError } from "./errors.js";
import { built, defaultMaxEmptyPages, itemCount, type FetchedPage } from "./internal/paging.js";

/** What every page of a list call has: the token of the next page, undefined on the last one. */
export interface Page {
  /** Pass this as `paginationToken` to resume from the next page; undefined on the last page. */
  readonly paginationToken: string | undefined;
}

/**
 * The result of a list method. `await` it for the first page; `for await` over it for every item across
 * all pages; `.pages()` for page-by-page work that checkpoints `paginationToken` and can resume from it.
 * Nothing is requested until one of those is used.
 */
export class PagedList<TPage extends Page, TItem> implements PromiseLike<TPage>, AsyncIterable<TItem> {
  #first: Promise<FetchedPage<TPage>> | undefined;

  constructor(
    private readonly method: string,
    private readonly fetchPage: (paginationToken: string | undefined) => Promise<FetchedPage<TPage>>,
    private readonly itemsOf: (page: TPage) => readonly TItem[],
    private readonly startToken: string | undefined,
    private readonly maxEmptyPages: number = defaultMaxEmptyPages,
    /** Told when an iteration of `pages()` (or `for await`) starts, and given back the end to call. */
    private readonly observe?: () => { end(error?: unknown): void },
  ) {}

  // biome-ignore lint/suspicious/noThenProperty: a list is awaited for its first page on purpose (PromiseLike).
  then<R1 = TPage, R2 = never>(
    onfulfilled?: ((page: TPage) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.firstPage().then(built).then(onfulfilled, onrejected);
  }

  /**
   * Every page from the starting token on. While the caller works on a page the next one is already
   * being fetched (one page ahead, never more), so the server's time and the caller's overlap. A server
   * that keeps answering empty pages with a token, or hands back the token it was given, is stopped with
   * an ApiError instead of looping forever.
   */
  async *pages(): AsyncGenerator<TPage, void, undefined> {
    const iteration = this.observe?.();
    try {
      yield* this.allPages();
      iteration?.end();
    } catch (error) {
      iteration?.end(error);
      throw error;
    } finally {
      // Also when the caller stops early (`break`): the iteration is over either way.
      iteration?.end();
    }
  }

  private async *allPages(): AsyncGenerator<TPage, void, undefined> {
    let page = await this.firstPage();
    let sent = this.startToken;
    let emptyInARow = 0;
    for (;;) {
      const next = page.paginationToken;
      if (next === undefined) {
        yield built(page);
        return;
      }
      emptyInARow = itemCount(page, this.itemsOf) === 0 ? emptyInARow + 1 : 0;
      // The guards run before the next page is asked for, so a stuck server gets no request beyond them;
      // their error still comes after this page, as the caller may save its token first.
      const stuck =
        next === sent
          ? "returned the same pagination token it was sent"
          : emptyInARow >= this.maxEmptyPages
            ? `returned ${emptyInARow} empty pages in a row, each with a pagination token`
            : undefined;
      if (stuck !== undefined) {
        yield built(page);
        this.stuck(stuck);
      }
      const ahead = this.fetchPage(next);
      // A caller that stops at this page never sees the page ahead, nor its failure.
      ahead.catch(() => {});
      // One turn of the event loop lets the request leave now: a caller working through the page
      // synchronously would otherwise hold it back until the page is done.
      await new Promise((resolve) => setImmediate(resolve));
      yield built(page);
      sent = next;
      page = await ahead;
    }
  }

  /**
   * Every item of every page. Items of a page already in hand are handed out without a generator hop
   * each (an async generator's `yield*` cost microseconds per item, most of the client's time at a
   * million results); calls to `next` are still answered in order, one at a time.
   */
  [Symbol.asyncIterator](): AsyncIterator<TItem, void, undefined> {
    const pages = this.pages();
    let items: readonly TItem[] = [];
    let index = 0;
    let finished = false;
    // The last `next` still waiting for a page; later calls queue behind it.
    let waiting: Promise<IteratorResult<TItem, void>> | undefined;
    const pull = async (): Promise<IteratorResult<TItem, void>> => {
      while (index >= items.length) {
        if (finished) return { done: true, value: undefined };
        const next = await pages.next();
        if (next.done === true) {
          finished = true;
          return { done: true, value: undefined };
        }
        items = this.itemsOf(next.value);
        index = 0;
      }
      return { done: false, value: items[index++]! };
    };
    return {
      next: () => {
        if (waiting === undefined && index < items.length) return Promise.resolve({ done: false, value: items[index++]! });
        const result = waiting === undefined ? pull() : waiting.then(pull, pull);
        waiting = result;
        const settle = () => {
          if (waiting === result) waiting = undefined;
        };
        result.then(settle, settle);
        return result;
      },
      return: async () => {
        finished = true;
        items = [];
        await pages.return();
        return { done: true, value: undefined };
      },
    };
  }

  private firstPage(): Promise<FetchedPage<TPage>> {
    this.#first ??= this.fetchPage(this.startToken);
    return this.#first;
  }

  private stuck(what: string): never {
    throw new ApiError({
      code: Code.Internal,
      method: this.method,
      rawMessage: `the server ${what}; stopped to avoid an endless loop. Resume later from the last token you saved.`,
    });
  }
}
