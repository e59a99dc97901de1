/** What the live check reads: the team's models as `client.models.list()` gives them. */
export interface ListedModel {
  readonly name: string;
  readonly aliases: readonly string[];
  readonly kind: "language" | "image" | "embedding";
}

/** How long a failed read of the live list stands before the next add tries again. */
const retryFailedReadMs = 5 * 60_000;

/**
 * The model names a batch request may use, from the team's live model list: every language and image
 * model and its aliases, less the models the Batch API is known to refuse. xai_api.Models lists no video
 * models, so those come from the fallback list; and when the live list cannot be read at all (an older
 * service, a proxy that passes only BatchMgmt, an outage) the fallback list stands in, until a later
 * add reads the live list again. Read once per client and shared by its adds.
 */
export class LiveBatchModels {
  #cached: { names: Promise<ReadonlySet<string>>; untilMs: number } | undefined;

  constructor(
    private readonly list: () => Promise<readonly ListedModel[]>,
    private readonly fallback: readonly string[],
    private readonly refused: readonly string[],
    private readonly now: () => number = Date.now,
  ) {}

  /** The names, read live on first use (or after a failed read went stale). */
  names(): Promise<ReadonlySet<string>> {
    if (this.#cached === undefined || this.#cached.untilMs <= this.now()) this.#cached = { names: this.read(), untilMs: Infinity };
    return this.#cached.names;
  }

  private async read(): Promise<ReadonlySet<string>> {
    let listed: readonly ListedModel[];
    try {
      listed = await this.list();
    } catch {
      this.#cached = { names: Promise.resolve(new Set(this.fallback)), untilMs: this.now() + retryFailedReadMs };
      return this.#cached.names;
    }
    return liveNames(listed, this.fallback, this.refused);
  }
}

/** The pure rule: batchable live models and aliases, plus the fallback's video models, less the refused. */
export function liveNames(listed: readonly ListedModel[], fallback: readonly string[], refused: readonly string[]): ReadonlySet<string> {
  const names = new Set(listed.filter((m) => m.kind !== "embedding").flatMap((m) => [m.name, ...m.aliases]));
  for (const name of fallback) if (name.includes("video")) names.add(name);
  for (const name of refused) names.delete(name);
  return names;
}
