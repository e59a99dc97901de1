import { Code } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { PresentIds, type IdPage } from "../../src/internal/add/present-ids.js";
import { apiError } from "../support/errors.js";

/**
 * A batch listed the way the service lists it: insertion order, pages of `pageSize`, and a token that
 * resumes right after the last item served, whatever was added since. Every page read is recorded.
 */
function batch(ids: string[], pageSize = 2) {
  const state = { ids, reads: [] as (string | undefined)[], failNext: undefined as Error | undefined };
  const listPage = async (token: string | undefined): Promise<IdPage> => {
    state.reads.push(token);
    if (state.failNext !== undefined) {
      const error = state.failNext;
      state.failNext = undefined;
      throw error;
    }
    const from = token === undefined ? 0 : Number(token);
    const next = from + pageSize;
    return { ids: state.ids.slice(from, next), nextToken: next < state.ids.length ? String(next) : undefined };
  };
  return { state, listPage };
}

describe("PresentIds", () => {
  it("answers which of the asked ids the batch holds", async () => {
    const { listPage } = batch(["a", "b", "c"]);
    const present = new PresentIds(listPage, () => 10);
    expect([...(await present.which(new Set(["b", "x", "c"]), 0))].sort()).toEqual(["b", "c"]);
    expect(present.has("a")).toBe(true);
    expect(present.has("x")).toBe(false);
  });

  it("shares one refresh among callers whose attempts ended before it began", async () => {
    let now = 100;
    const { state, listPage } = batch(["a", "b"]);
    const present = new PresentIds(listPage, () => now);
    await Promise.all([present.which(new Set(["a"]), 50), present.which(new Set(["b"]), 90)]);
    now = 200;
    await present.which(new Set(["a"]), 100);
    expect(state.reads).toEqual([undefined]);
  });

  it("after the first listing, reads only from the last page seen: cost grows with what was added, not with the batch", async () => {
    let now = 100;
    const ids = Array.from({ length: 10 }, (_, i) => `old${i}`);
    const { state, listPage } = batch(ids);
    const present = new PresentIds(listPage, () => now);
    await present.refresh(0, true);
    expect(state.reads).toHaveLength(5);
    state.ids.push("new1", "new2", "new3");
    now = 300;
    expect(await present.which(new Set(["new3", "nope"]), 200)).toEqual(new Set(["new3"]));
    // The last page seen ("8"), then the two after it: not the whole batch again.
    expect(state.reads.slice(5)).toEqual(["8", "10", "12"]);
  });

  it("reads from the start when asked for a full refresh", async () => {
    let now = 100;
    const { state, listPage } = batch(["a", "b", "c"]);
    const present = new PresentIds(listPage, () => now);
    await present.refresh(0);
    now = 200;
    await present.refresh(150, true);
    expect(state.reads).toEqual([undefined, "2", undefined, "2"]);
  });

  it("a failed refresh is not kept, and the next one resumes after the pages it did read", async () => {
    let now = 100;
    const { state, listPage } = batch(["a", "b", "c", "d", "e"]);
    let reads = 0;
    const flaky = async (token: string | undefined) => {
      if (++reads === 2) throw apiError({ code: Code.Unavailable });
      return listPage(token);
    };
    const present = new PresentIds(flaky, () => now);
    await expect(present.which(new Set(["e"]), 0)).rejects.toMatchObject({ code: Code.Unavailable });
    now = 200;
    expect(await present.which(new Set(["e"]), 0)).toEqual(new Set(["e"]));
    // The first page was read before the failure and is not read again.
    expect(state.reads).toEqual([undefined, "2", "4"]);
  });

  it("lists from the start when the server no longer takes the kept token", async () => {
    let now = 100;
    const { state, listPage } = batch(["a", "b", "c"]);
    const present = new PresentIds(listPage, () => now);
    await present.refresh(0);
    state.ids.push("d");
    state.failNext = apiError({ code: Code.InvalidArgument });
    now = 200;
    expect(await present.which(new Set(["d"]), 150)).toEqual(new Set(["d"]));
    expect(state.reads).toEqual([undefined, "2", "2", undefined, "2"]);
  });
});
