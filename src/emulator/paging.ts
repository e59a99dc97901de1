import { status as GrpcStatus } from "@grpc/grpc-js";
import type { PageScope, PageTokens } from "./page-tokens.js";
import { badRequest, StatusError } from "./status.js";

/** The paging fields every list request has. */
export interface PageRequest {
  limit: number;
  paginationToken?: string | undefined;
}

/** One page: its items and, unless it is the last, the token of the next. */
export interface ListedPage<T> {
  items: T[];
  paginationToken: string | undefined;
}

/**
 * Serves pages of a listing whose items sit at their sequence number in an array that only grows, so a
 * page resumes right after the last item served whatever was added since.
 */
export class Pager {
  constructor(
    private readonly tokens: PageTokens,
    private readonly defaultPageSize: number,
    private readonly maxPageSize: number,
  ) {}

  /** The page after the request's token of the items that `include` accepts. */
  page<T>(request: PageRequest, scope: PageScope, items: readonly T[], include: (item: T) => boolean): ListedPage<T> {
    const limit = this.limit(request.limit);
    let seq = request.paginationToken ? this.after(scope, request.paginationToken) + 1 : 0;
    const page: T[] = [];
    let lastSeq = -1;
    for (; seq < items.length; seq++) {
      const item = items[seq]!;
      if (!include(item)) continue;
      // Only issue a token when another item exists, so the last page is never followed by an empty one.
      if (page.length === limit) return { items: page, paginationToken: this.tokens.issue(scope, lastSeq) };
      page.push(item);
      lastSeq = seq;
    }
    return { items: page, paginationToken: undefined };
  }

  private limit(limit: number): number {
    if (limit === 0) return this.defaultPageSize;
    if (limit < 0 || limit > this.maxPageSize) {
      throw invalidField(
        "limit",
        `limit must be from 1 to ${this.maxPageSize} (the maximum page size), or 0 for the default ${this.defaultPageSize}; got ${limit}`,
      );
    }
    return limit;
  }

  private after(scope: PageScope, token: string): number {
    const seq = this.tokens.read(scope, token);
    if (seq === undefined)
      throw invalidField("pagination_token", `pagination_token is not a token this server issued for this ${scope.rpc} listing`);
    return seq;
  }
}

function invalidField(field: string, description: string): StatusError {
  return new StatusError(GrpcStatus.INVALID_ARGUMENT, description, [badRequest([{ field, description }])]);
}
