// What PagedList and the resources' list calls share: pages built late, and the wire's token read one way.

/** What every page has (the public Page, restated here so the helpers need nothing above them). */
interface Page {
  readonly paginationToken: string | undefined;
}

/**
 * A page whose token and size are read but whose items are built only when the page is handed out. A list
 * asks for the page ahead first, so building a large page (results: each one's view) overlaps the server's
 * work on the next instead of delaying its request.
 */
export class UnbuiltPage<TPage extends Page> implements Page {
  readonly #build: () => TPage;
  #page: TPage | undefined;

  constructor(
    readonly paginationToken: string | undefined,
    /** Items on the page. */
    readonly size: number,
    build: () => TPage,
  ) {
    this.#build = build;
  }

  /** The page, built on the first call. */
  page(): TPage {
    this.#page ??= this.#build();
    return this.#page;
  }
}

/** What a list's fetch gives: a page, or one to build later. */
export type FetchedPage<TPage extends Page> = TPage | UnbuiltPage<TPage>;

/** Items on a fetched page, without building it. */
export function itemCount<TPage extends Page>(fetched: FetchedPage<TPage>, itemsOf: (page: TPage) => readonly unknown[]): number {
  return fetched instanceof UnbuiltPage ? fetched.size : itemsOf(fetched).length;
}

export function built<TPage extends Page>(fetched: FetchedPage<TPage>): TPage {
  return fetched instanceof UnbuiltPage ? fetched.page() : fetched;
}

/** How many empty pages that still carry a token are tolerated before the iteration stops as stuck. */
export const defaultMaxEmptyPages = 10;

/** Normalises the wire's optional token: an empty string also means "last page". */
export function nextToken(token: string | undefined): string | undefined {
  return token === undefined || token === "" ? undefined : token;
}
