import { Code } from "@connectrpc/connect";
import { ApiError } from "./errors.js";

/** What every page of a list call has: the token of the next page, undefined on the last one. */
export interface Page {
  /** Pass this as `paginationToken` to resume from the next page; undefined on the last page. */
  readonly paginationToken: string | undefined;
}

/** How many empty pages that still carry a token are tolerated before the iteration stops as stuck. */
export const defaultMaxEmptyPages = 10;

/**
 * The result of a list method. `await` it for the first page; `for await` over it for every item across
 * all pages; `.pages()` for page-by-page work that checkpoints `paginationToken` and can resume from it.
 * Nothing is requested until one of those is used.
 */
export class PagedList<TPage extends Page, TItem> implements PromiseLike<TPage>, AsyncIterable<TItem> {
  #first: Promise<TPage> | undefined;

  constructor(
    private readonly method: string,
    private readonly fetchPage: (paginationToken: string | undefined) => Promise<TPage>,
    private readonly itemsOf: (page: TPage) => readonly TItem[],
    private readonly startToken: string | undefined,
    private readonly maxEmptyPages: number = defaultMaxEmptyPages,
  ) {}

  then<R1 = TPage, R2 = never>(
    onfulfilled?: ((page: TPage) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.firstPage().then(onfulfilled, onrejected);
  }

  /**
   * Every page from the starting token on. A server that keeps answering empty pages with a token, or
   * hands back the token it was given, is stopped with an ApiError instead of looping forever.
   */
  async *pages(): AsyncGenerator<TPage, void, undefined> {
    let page = await this.firstPage();
    let sent = this.startToken;
    let emptyInARow = 0;
    for (;;) {
      yield page;
      const next = page.paginationToken;
      if (next === undefined) return;
      emptyInARow = this.itemsOf(page).length === 0 ? emptyInARow + 1 : 0;
      if (next === sent) this.stuck(`returned the same pagination token it was sent`);
      if (emptyInARow >= this.maxEmptyPages) this.stuck(`returned ${emptyInARow} empty pages in a row, each with a pagination token`);
      sent = next;
      page = await this.fetchPage(next);
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<TItem, void, undefined> {
    for await (const page of this.pages()) yield* this.itemsOf(page);
  }

  private firstPage(): Promise<TPage> {
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

/** Normalises the wire's optional token: an empty string also means "last page". */
export function nextToken(token: string | undefined): string | undefined {
  return token === undefined || token === "" ? undefined : token;
}
