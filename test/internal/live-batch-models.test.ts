import { describe, expect, it } from "vitest";
import { LiveBatchModels, liveNames, type ListedModel } from "../../src/internal/live-batch-models.js";

const listed: ListedModel[] = [
  { name: "grok-4.20", aliases: ["grok-4.20-latest"], kind: "language" },
  { name: "grok-code-fast-1", aliases: [], kind: "language" },
  { name: "grok-imagine-image", aliases: [], kind: "image" },
  { name: "grok-embed", aliases: [], kind: "embedding" },
];
const fallback = ["grok-4", "grok-imagine-video"];
const refused = ["grok-code-fast-1"];

describe("liveNames", () => {
  it("takes language and image models with their aliases, the fallback's video models, less the refused", () => {
    expect([...liveNames(listed, fallback, refused)].sort()).toEqual([
      "grok-4.20",
      "grok-4.20-latest",
      "grok-imagine-image",
      "grok-imagine-video",
    ]);
  });
});

describe("LiveBatchModels", () => {
  it("reads the live list once and shares it", async () => {
    let reads = 0;
    const live = new LiveBatchModels(
      async () => {
        reads++;
        return listed;
      },
      fallback,
      refused,
    );
    await Promise.all([live.names(), live.names()]);
    expect((await live.names()).has("grok-4.20-latest")).toBe(true);
    expect(reads).toBe(1);
  });

  it("falls back to the fallback list when the live list cannot be read, and tries again once that is stale", async () => {
    let now = 0;
    let fail = true;
    let reads = 0;
    const live = new LiveBatchModels(
      async () => {
        reads++;
        if (fail) throw new Error("unimplemented");
        return listed;
      },
      fallback,
      refused,
      () => now,
    );
    expect([...(await live.names())]).toEqual(fallback);
    now += 60_000;
    expect([...(await live.names())]).toEqual(fallback);
    expect(reads).toBe(1);
    fail = false;
    now += 5 * 60_000;
    expect((await live.names()).has("grok-4.20")).toBe(true);
    expect(reads).toBe(2);
  });
});
