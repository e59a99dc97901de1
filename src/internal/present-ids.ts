/**
 * What a batch holds, as far as reconciliation needs to know: one listing of the batch's request ids,
 * shared by every call of an add that needs checking, and taken again only when a call finished after
 * the listing began (its requests might have landed after the listing passed them). Re-running an
 * interrupted add of a million requests then lists the batch once or a few times, not once per call.
 */
export class PresentIds {
  private listing: { startedAt: number; ids: Promise<Set<string>> } | undefined;

  constructor(
    private readonly listAll: () => AsyncIterable<string>,
    private readonly now: () => number = Date.now,
  ) {}

  /** Which of `ids` the batch holds, by a listing that began no earlier than `notBeforeMs`. */
  async which(ids: ReadonlySet<string>, notBeforeMs: number): Promise<Set<string>> {
    if (this.listing === undefined || this.listing.startedAt < notBeforeMs) {
      const listing = { startedAt: this.now(), ids: this.collect() };
      this.listing = listing;
      // A failed listing must not be reused; the next caller starts a fresh one.
      listing.ids.catch(() => {
        if (this.listing === listing) this.listing = undefined;
      });
    }
    const all = await this.listing.ids;
    const present = new Set<string>();
    for (const id of ids) if (all.has(id)) present.add(id);
    return present;
  }

  private async collect(): Promise<Set<string>> {
    const all = new Set<string>();
    for await (const id of this.listAll()) all.add(id);
    return all;
  }
}
