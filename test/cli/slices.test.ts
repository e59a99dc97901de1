import { describe, expect, it } from "vitest";
import { Slices } from "../../src/cli/slices.js";

async function* numbers(n: number): AsyncGenerator<number> {
  for (let i = 0; i < n; i++) yield i;
}

async function collect(slice: AsyncIterable<number>): Promise<number[]> {
  const items: number[] = [];
  for await (const item of slice) items.push(item);
  return items;
}

describe("Slices", () => {
  it.each([
    [0, 3, []],
    [3, 3, [[0, 1, 2]]],
    [7, 3, [[0, 1, 2], [3, 4, 5], [6]]],
    [2, 5, [[0, 1]]],
  ])("%i items in slices of %i", async (n, size, expected) => {
    const slices = new Slices(numbers(n), size);
    const got: number[][] = [];
    while (await slices.hasMore()) got.push(await collect(slices.next()));
    expect(got).toEqual(expected);
  });

  it("skips a slice without losing the item after it", async () => {
    const slices = new Slices(numbers(5), 2);
    await slices.skip();
    expect(await slices.hasMore()).toBe(true);
    expect(await collect(slices.next())).toEqual([2, 3]);
    expect(await collect(slices.next())).toEqual([4]);
    expect(await slices.hasMore()).toBe(false);
  });
});
