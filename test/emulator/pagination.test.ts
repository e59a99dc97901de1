import { status } from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { BadRequestSchema, BatchRequestMetadata_State } from "../../src/core/internal/wire.js";
import { ManualClock } from "../../src/emulator/index.js";
import { chat, chats, detail, failure, useEmulators, type TestClient } from "./helpers.js";

async function allMetadataIds(client: TestClient, batchId: string, limit: number, between: () => Promise<void> = async () => {}) {
  const ids: string[] = [];
  let paginationToken: string | undefined;
  let pages = 0;
  do {
    const page = await client.call("listBatchRequestMetadata", { batchId, limit, paginationToken });
    ids.push(...page.batchRequestMetadata.map((m) => m.batchRequestId));
    paginationToken = page.paginationToken;
    pages++;
    await between();
  } while (paginationToken !== undefined);
  return { ids, pages };
}

describe("pagination", () => {
  const env = useEmulators();

  it("pages requests over 3+ pages; the last page has no token", async () => {
    const { client, batchId } = await env.withBatch();
    await client.call("addBatchRequests", { batchId, batchRequests: chats(250) });
    const first = await client.call("listBatchRequestMetadata", { batchId, limit: 100 });
    expect(first.batchRequestMetadata).toHaveLength(100);
    expect(first.paginationToken).toBeTruthy();
    const { ids, pages } = await allMetadataIds(client, batchId, 100);
    expect(pages).toBe(3);
    expect(ids).toEqual(chats(250).map((r) => r.batchRequestId));
    // An exact multiple of the page size ends without an extra empty page.
    expect((await allMetadataIds(client, batchId, 125)).pages).toBe(2);
  });

  it("pages batches", async () => {
    const { client } = await env.withBatch();
    for (let i = 0; i < 6; i++) await client.call("createBatch", { name: `n${i}` });
    const names: string[] = [];
    let paginationToken: string | undefined;
    let pages = 0;
    do {
      const page = await client.call("listBatches", { limit: 3, paginationToken });
      names.push(...page.batches.map((b) => b.name));
      paginationToken = page.paginationToken;
      pages++;
    } while (paginationToken !== undefined);
    expect(names).toEqual(["b", "n0", "n1", "n2", "n3", "n4", "n5"]);
    expect(pages).toBe(3);
  });

  it("uses the default page size for limit 0 and refuses a limit above the maximum or below 0", async () => {
    const { client, batchId } = await env.withBatch({ defaultPageSize: 7, maxPageSize: 50 });
    await client.call("addBatchRequests", { batchId, batchRequests: chats(60) });
    expect((await client.call("listBatchRequestMetadata", { batchId })).batchRequestMetadata).toHaveLength(7);
    expect((await client.call("listBatchRequestMetadata", { batchId, limit: 50 })).batchRequestMetadata).toHaveLength(50);
    const over = await failure(client.call("listBatchRequestMetadata", { batchId, limit: 51 }));
    expect(over.code).toBe(status.INVALID_ARGUMENT);
    expect(over.details).toContain("50");
    expect(detail(over, BadRequestSchema)?.fieldViolations[0]?.field).toBe("limit");
    expect((await failure(client.call("listBatches", { limit: -1 }))).code).toBe(status.INVALID_ARGUMENT);
  });

  it("neither skips nor repeats requests added while paging", async () => {
    const { client, batchId } = await env.withBatch();
    await client.call("addBatchRequests", { batchId, batchRequests: chats(45) });
    let round = 0;
    const { ids } = await allMetadataIds(client, batchId, 10, async () => {
      if (round < 3) await client.call("addBatchRequests", { batchId, batchRequests: chats(7, `new${round++}-`) });
    });
    const expected = [...chats(45), ...chats(7, "new0-"), ...chats(7, "new1-"), ...chats(7, "new2-")].map((r) => r.batchRequestId);
    expect(ids).toEqual(expected);
  });

  it("neither skips nor repeats results that arrive while paging", async () => {
    const clock = new ManualClock();
    const emu = await env.start({ clock, processing: { requestsPerSecond: 200 } });
    const client = env.client(emu);
    const { batchId } = await client.call("createBatch", { name: "b" });
    await client.call("addBatchRequests", { batchId, batchRequests: chats(300) });
    await clock.advance(200);
    // Reading 10 per page while 4 results arrive between pages: pages straddle arrivals.
    const seen: string[] = [];
    const finishedAtPage: bigint[] = [];
    let paginationToken: string | undefined;
    do {
      const page = await client.call("listBatchResults", { batchId, limit: 10, paginationToken });
      seen.push(...page.results.map((r) => r.batchRequestId));
      paginationToken = page.paginationToken;
      finishedAtPage.push((await client.call("getBatch", { batchId })).state!.numSuccess);
      await clock.advance(20);
    } while (paginationToken !== undefined);
    expect(finishedAtPage.length).toBeGreaterThan(3);
    expect(finishedAtPage.at(-1)).toBeGreaterThan(finishedAtPage[0]!);
    await clock.advance(1500);
    const all = (await client.call("listBatchResults", { batchId, limit: 1000 })).results.map((r) => r.batchRequestId);
    expect(all).toHaveLength(300);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(all.slice(0, seen.length));
  });

  it("filters metadata by state, and a token keeps its filter", async () => {
    const emu = await env.start();
    const client = env.client(emu);
    const { batchId } = await client.call("createBatch", { name: "b" });
    await client.call("addBatchRequests", {
      batchId,
      batchRequests: [...chats(20), chat("f1", "[fail]"), chat("f2", "[fail]"), ...chats(20, "s")],
    });
    await emu.waitFor((c) => c.requestsSucceeded + c.requestsFailed === 42);
    const failed = await client.call("listBatchRequestMetadata", { batchId, status: [BatchRequestMetadata_State.FAILED] });
    expect(failed.batchRequestMetadata.map((m) => m.batchRequestId)).toEqual(["f1", "f2"]);
    const page = await client.call("listBatchRequestMetadata", { batchId, limit: 5, status: [BatchRequestMetadata_State.SUCCEEDED] });
    expect(page.batchRequestMetadata.every((m) => m.state === BatchRequestMetadata_State.SUCCEEDED)).toBe(true);
    const withOtherFilter = await failure(
      client.call("listBatchRequestMetadata", {
        batchId,
        limit: 5,
        status: [BatchRequestMetadata_State.FAILED],
        paginationToken: page.paginationToken,
      }),
    );
    expect(withOtherFilter.code).toBe(status.INVALID_ARGUMENT);
    const all = await client.call("listBatchRequestMetadata", {
      batchId,
      limit: 100,
      status: [BatchRequestMetadata_State.SUCCEEDED, BatchRequestMetadata_State.FAILED],
    });
    expect(all.batchRequestMetadata).toHaveLength(42);
  });

  it("refuses forged, corrupted and foreign tokens with INVALID_ARGUMENT", async () => {
    const { emu, client, batchId } = await env.withBatch();
    await client.call("addBatchRequests", { batchId, batchRequests: chats(30) });
    const other = (await client.call("createBatch", { name: "other" })).batchId;
    await client.call("addBatchRequests", { batchId: other, batchRequests: chats(30) });
    const token = (await client.call("listBatchRequestMetadata", { batchId, limit: 10 })).paginationToken!;
    const forged = `${Buffer.from("20").toString("base64url")}.${token.split(".")[1]}`;
    const otherEmulator = await env.start({ processing: { requestsPerSecond: 0 } });
    const stranger = env.client(otherEmulator);
    const strangerBatch = (await stranger.call("createBatch", { name: "s" })).batchId;
    await stranger.call("addBatchRequests", { batchId: strangerBatch, batchRequests: chats(30) });
    const strangerToken = (await stranger.call("listBatchRequestMetadata", { batchId: strangerBatch, limit: 10 })).paginationToken!;

    const attempts = [
      client.call("listBatchRequestMetadata", { batchId, limit: 10, paginationToken: forged }),
      client.call("listBatchRequestMetadata", { batchId, limit: 10, paginationToken: token.slice(0, -3) }),
      client.call("listBatchRequestMetadata", { batchId, limit: 10, paginationToken: "garbage" }),
      client.call("listBatchRequestMetadata", { batchId: other, limit: 10, paginationToken: token }),
      client.call("listBatchResults", { batchId, limit: 10, paginationToken: token }),
      client.call("listBatches", { limit: 10, paginationToken: token }),
      client.call("listBatchRequestMetadata", { batchId, limit: 10, paginationToken: strangerToken }),
    ];
    for (const attempt of attempts) {
      const error = await failure(attempt);
      expect(error.code).toBe(status.INVALID_ARGUMENT);
      expect(detail(error, BadRequestSchema)?.fieldViolations[0]?.field).toBe("pagination_token");
    }
    // The genuine token still works, and an empty token means the first page.
    expect(
      (await client.call("listBatchRequestMetadata", { batchId, limit: 10, paginationToken: token })).batchRequestMetadata[0]
        ?.batchRequestId,
    ).toBe("r10");
    expect(
      (await client.call("listBatchRequestMetadata", { batchId, limit: 10, paginationToken: "" })).batchRequestMetadata[0]?.batchRequestId,
    ).toBe("r0");
    expect(emu.counters().rejections.invalid).toBe(7);
  });
});
