/**
 * Reads an async iterator in consecutive slices of at most `size` items: the shards of a run, one batch
 * each. Each slice starts where the one before stopped, so read (or skip) a slice to its end before
 * taking the next.
 */
export class Slices<T> {
  #peeked: IteratorResult<T> | undefined;

  constructor(
    private readonly source: AsyncIterator<T>,
    private readonly size: number,
  ) {}

  /** Whether the next slice has at least one item. */
  async hasMore(): Promise<boolean> {
    this.#peeked ??= await this.source.next();
    return this.#peeked.done !== true;
  }

  /** The next slice. */
  async *next(): AsyncGenerator<T, void, undefined> {
    for (let n = 0; n < this.size; n++) {
      const item = this.#peeked ?? (await this.source.next());
      this.#peeked = undefined;
      if (item.done === true) {
        this.#peeked = item;
        return;
      }
      yield item.value;
    }
  }

  /** Reads the next slice without using it: a shard already in its batch. */
  async skip(): Promise<void> {
    for await (const _ of this.next());
  }
}
