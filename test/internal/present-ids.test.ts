import { describe, expect, it } from "vitest";
import { PresentIds } from "../../src/internal/present-ids.js";

/** A batch whose listing is counted, and can be made to fail once. */
function batch(ids: string[]) {
  const state = { listings: 0, failNext: false, ids };
  async function* listAll() {
    state.listings++;
    if (state.failNext) {
      state.failNext = false;
      throw new Error("listing failed");
    }
    yield* state.ids;
  }
  return { state, listAll };
}

describe("PresentIds", () => {
  it("answers which of the asked ids the batch holds", async () => {
    const { listAll } = batch(["a", "b", "c"]);
    const present = new PresentIds(listAll, () => 10);
    expect([...(await present.which(new Set(["b", "x", "c"]), 0))].sort()).toEqual(["b", "c"]);
  });

  it("shares one listing among callers whose attempts ended before it began", async () => {
    let now = 100;
    const { state, listAll } = batch(["a", "b"]);
    const present = new PresentIds(listAll, () => now);
    await Promise.all([present.which(new Set(["a"]), 50), present.which(new Set(["b"]), 90)]);
    now = 200;
    await present.which(new Set(["a"]), 100);
    expect(state.listings).toBe(1);
  });

  it("lists again for an attempt that ended after the listing began", async () => {
    let now = 100;
    const { state, listAll } = batch(["a"]);
    const present = new PresentIds(listAll, () => now);
    expect(await present.which(new Set(["z"]), 0)).toEqual(new Set());
    state.ids.push("z");
    now = 300;
    expect(await present.which(new Set(["z"]), 150)).toEqual(new Set(["z"]));
    expect(state.listings).toBe(2);
  });

  it("does not keep a failed listing", async () => {
    const { state, listAll } = batch(["a"]);
    state.failNext = true;
    const present = new PresentIds(listAll, () => 100);
    await expect(present.which(new Set(["a"]), 0)).rejects.toThrow("listing failed");
    expect(await present.which(new Set(["a"]), 0)).toEqual(new Set(["a"]));
    expect(state.listings).toBe(2);
  });
});
