import { describe, expect, it } from "vitest";
import { InputGroups } from "../../src/internal/add/input-groups.js";

// How an add reads its input: in groups, in order, and closing the source exactly when `for await` /
// `for...of` would.

/** A hand-written iterator over 0..n-1 that counts its next() and return() calls; `fail(i)` makes next() throw at i. */
function counted(n: number, options: { async: boolean; fail?: (i: number) => boolean; returnThrows?: boolean }) {
  const seen = { next: 0, returned: 0 };
  let i = 0;
  const step = (): IteratorResult<number> => {
    seen.next++;
    if (options.fail?.(i) === true) throw new Error(`next failed at ${i}`);
    return i < n ? { value: i++, done: false } : { value: undefined, done: true };
  };
  const close = (): IteratorResult<number> => {
    seen.returned++;
    if (options.returnThrows === true) throw new Error("return failed");
    return { value: undefined, done: true };
  };
  const iterator = options.async ? { next: async () => step(), return: async () => close() } : { next: step, return: close };
  const input = options.async ? { [Symbol.asyncIterator]: () => iterator } : { [Symbol.iterator]: () => iterator };
  return { input: input as Iterable<number> | AsyncIterable<number>, seen };
}

async function readAll(groups: InputGroups): Promise<unknown[][]> {
  const all: unknown[][] = [];
  for (let group = await groups.read(); group.length > 0; group = await groups.read()) all.push(group);
  return all;
}

describe.each([false, true])("InputGroups (async %s)", (async) => {
  it("reads every item once, in order, in groups of the size asked, the last shorter", async () => {
    const source = counted(7, { async });
    expect(await readAll(new InputGroups(source.input, 3))).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
    // One next() per item and the one that said done; nothing after it.
    expect(source.seen.next).toBe(8);
  });

  it("reads one group at a time: nothing beyond the group asked for", async () => {
    const source = counted(100, { async });
    const groups = new InputGroups(source.input, 10);
    await groups.read();
    expect(source.seen.next).toBe(10);
  });

  it("closing an iterator read part-way calls its return() once; closing again does nothing", async () => {
    const source = counted(100, { async });
    const groups = new InputGroups(source.input, 10);
    await groups.read();
    await groups.close(false);
    await groups.close(false);
    expect(source.seen.returned).toBe(1);
    expect(await groups.read()).toEqual([]);
    expect(source.seen.next).toBe(10);
  });

  it("an iterator that finished is not closed", async () => {
    const source = counted(5, { async });
    const groups = new InputGroups(source.input, 10);
    expect(await readAll(groups)).toEqual([[0, 1, 2, 3, 4]]);
    await groups.close(false);
    expect(source.seen.returned).toBe(0);
  });

  it("an iterator whose next() throws: the error surfaces as thrown, and the iterator is not closed", async () => {
    const source = counted(100, { async, fail: (i) => i === 13 });
    const groups = new InputGroups(source.input, 10);
    expect(await groups.read()).toHaveLength(10);
    await expect(groups.read()).rejects.toThrow("next failed at 13");
    await groups.close(true);
    expect(source.seen.returned).toBe(0);
  });

  it("closing after the add's own error drops an error return() throws; closing otherwise surfaces it", async () => {
    const failedAdd = counted(100, { async, returnThrows: true });
    const afterError = new InputGroups(failedAdd.input, 10);
    await afterError.read();
    await afterError.close(true);
    expect(failedAdd.seen.returned).toBe(1);

    const stoppedAdd = counted(100, { async, returnThrows: true });
    const stopped = new InputGroups(stoppedAdd.input, 10);
    await stopped.read();
    await expect(stopped.close(false)).rejects.toThrow("return failed");
  });

  it("an iterator without return() is simply left", async () => {
    const iterator = async ? { next: async () => ({ value: 1, done: false }) } : { next: () => ({ value: 1, done: false }) };
    const input = async ? { [Symbol.asyncIterator]: () => iterator } : { [Symbol.iterator]: () => iterator };
    const groups = new InputGroups(input as Iterable<number> | AsyncIterable<number>, 4);
    expect(await groups.read()).toEqual([1, 1, 1, 1]);
    await expect(groups.close(false)).resolves.toBeUndefined();
  });

  it("a result that is not an object is refused as the loops refuse it", async () => {
    const iterator = async ? { next: async () => 5 } : { next: () => 5 };
    const input = async ? { [Symbol.asyncIterator]: () => iterator } : { [Symbol.iterator]: () => iterator };
    await expect(new InputGroups(input as unknown as Iterable<number>, 4).read()).rejects.toThrow(
      new TypeError("Iterator result 5 is not an object"),
    );
  });
});

describe("InputGroups takes values as given", () => {
  it("a sync iterable's promises are values, not awaited (as for...of); an async iterable's values are not awaited either", async () => {
    const promise = Promise.resolve("inside");
    expect((await new InputGroups([promise], 4).read())[0]).toBe(promise);
    const asyncSource = (async function* () {
      yield* [1, 2];
    })();
    expect(await new InputGroups(asyncSource, 4).read()).toEqual([1, 2]);
  });

  it("reads an async generator as for await does, and return() runs its finally", async () => {
    let closed = false;
    const source = (async function* () {
      try {
        for (let i = 0; ; i++) yield i;
      } finally {
        closed = true;
      }
    })();
    const groups = new InputGroups(source, 3);
    expect(await groups.read()).toEqual([0, 1, 2]);
    expect(await groups.read()).toEqual([3, 4, 5]);
    await groups.close(false);
    expect(closed).toBe(true);
  });
});
