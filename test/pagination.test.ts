import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { status } from "@grpc/grpc-js";
import { ApiError, Client, Code, PagedList } from "../src/index.js";
import { UnbuiltPage } from "../src/core/internal/paging.js";
import type { ListBatchResultsRequest } from "../src/core/internal/wire.js";
import { StatusError } from "../src/emulator/status.js";
import { startTestServer, untilCancelled, type TestServer } from "./support/test-server.js";

let server: TestServer;
let client: Client;
const ids = Array.from({ length: 25 }, (_, i) => `req-${String(i).padStart(2, "0")}`);

/** Serves `ids` as results, every third one failed, in pages addressed by an offset token. */
function serveResults() {
  server.handle({
    listBatchResults: async (req) => {
      const offset = req.paginationToken ? Number(req.paginationToken.slice(2)) : 0;
      const limit = req.limit || 100;
      const slice = ids.slice(offset, offset + limit);
      return {
        results: slice.map((id, i) => ({
          batchRequestId: id,
          result:
            (offset + i) % 3 === 0
              ? { case: "error" as const, value: { code: 8, message: "overloaded" } }
              : {
                  case: "response" as const,
                  value: {
                    response: { case: "completionResponse" as const, value: { outputs: [{ message: { content: `answer ${id}` } }] } },
                  },
                },
        })),
        paginationToken: offset + limit < ids.length ? `o:${offset + limit}` : undefined,
      };
    },
  });
}

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());
beforeEach(() => {
  server.calls.length = 0;
  client = new Client({ apiKey: "k", baseUrl: server.url });
  serveResults();
  return () => {
    client.close();
    vi.useRealTimers();
  };
});

const tokensSent = () => server.calls.map((c) => (c.request as ListBatchResultsRequest).paginationToken);

/**
 * Serves batches b0…b`last`, one a page, each taking `pageMs` on a clock shared with the client that moves
 * only then: a page whose deadline leaves less than that is never answered, and ends when the client gives up.
 */
function pagesTaking(pageMs: number, last = Infinity) {
  vi.useFakeTimers({ toFake: ["Date"] });
  server.handle({
    listBatches: async (req, call) => {
      if (Number(call.getDeadline()) - Date.now() < pageMs) return untilCancelled(call);
      vi.setSystemTime(Date.now() + pageMs);
      const n = Number(req.paginationToken || 0);
      return { batches: [{ batchId: `b${n}` }], paginationToken: n < last ? String(n + 1) : undefined };
    },
  });
}

describe("list methods", () => {
  it("await gives the first page, split into succeeded and failed", async () => {
    const page = await client.batch.listBatchResults("b1", { limit: 10 });
    expect(page.results.map((r) => r.batchRequestId)).toEqual(ids.slice(0, 10));
    expect(page.failed.map((r) => r.batchRequestId)).toEqual(["req-00", "req-03", "req-06", "req-09"]);
    expect(page.succeeded).toHaveLength(6);
    expect(page.paginationToken).toBe("o:10");
    expect(server.calls).toHaveLength(1);
  });

  it("for await walks every item across pages, asking for each page once", async () => {
    const seen: string[] = [];
    for await (const result of client.batch.listBatchResults("b1", { limit: 10 })) {
      seen.push(result.batchRequestId);
      if (result.ok && result.kind === "completion") expect(result.text).toBe(`answer ${result.batchRequestId}`);
    }
    expect(seen).toEqual(ids);
    expect(tokensSent()).toEqual([undefined, "o:10", "o:20"]);
  });

  it("does not fetch the first page twice when it was awaited before iterating", async () => {
    const list = client.batch.listBatchResults("b1", { limit: 10 });
    await list;
    let pages = 0;
    for await (const _ of list.pages()) pages++;
    expect(pages).toBe(3);
    expect(server.calls).toHaveLength(3);
  });

  it("resumes from a saved pagination token, in a new process, with nothing skipped or repeated", async () => {
    let saved: string | undefined;
    const first: string[] = [];
    for await (const page of client.batch.listBatchResults("b1", { limit: 10 }).pages()) {
      first.push(...page.results.map((r) => r.batchRequestId));
      saved = page.paginationToken;
      break;
    }
    const restarted = new Client({ apiKey: "k", baseUrl: server.url });
    const rest: string[] = [];
    for await (const r of restarted.batch.listBatchResults("b1", { limit: 10, paginationToken: saved })) rest.push(r.batchRequestId);
    restarted.close();
    expect([...first, ...rest]).toEqual(ids);
  });

  it("stops a server that returns empty pages with a token forever", async () => {
    let n = 0;
    server.handle({ listBatchResults: async () => ({ results: [], paginationToken: `again-${n++}` }) });
    const error = await (async () => {
      for await (const _ of client.batch.listBatchResults("b1")) {
        /* never reached */
      }
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe(Code.Internal);
    expect((error as ApiError).message).toMatch(/10 empty pages in a row/);
    expect(server.calls).toHaveLength(10);
  });

  it("stops a server that hands back the token it was sent", async () => {
    server.handle({ listBatches: async () => ({ batches: [{ batchId: "x" }], paginationToken: "same" }) });
    const seen: string[] = [];
    const error = await (async () => {
      for await (const b of client.batch.list({ paginationToken: "same" })) seen.push(b.batchId);
    })().catch((e: unknown) => e);
    expect((error as ApiError).message).toMatch(/same pagination token/);
    expect(seen).toEqual(["x"]);
  });

  it("treats an empty token as the last page", async () => {
    server.handle({ listBatchRequestMetadata: async () => ({ batchRequestMetadata: [{ batchRequestId: "only" }], paginationToken: "" }) });
    const all = [];
    for await (const m of client.batch.listBatchRequests("b1")) all.push(m.batchRequestId);
    expect(all).toEqual(["only"]);
    expect((await client.batch.listBatchRequests("b1")).paginationToken).toBeUndefined();
  });

  it("bounds a whole iteration by its totalTimeoutMs, not each page", async () => {
    pagesTaking(100, 9); // ten pages: a client that gave each page 350 ms would read them all
    const seen: string[] = [];
    const error = await (async () => {
      for await (const b of client.batch.list({ totalTimeoutMs: 350 })) seen.push(b.batchId);
    })().catch((e: unknown) => e);
    expect((error as ApiError).code).toBe(Code.DeadlineExceeded);
    // Each page is sent what is left of the one deadline; the fourth has 50 ms, too little for a page.
    expect(server.calls.map((c) => c.deadlineMs)).toEqual([350, 250, 150, 50]);
    expect(seen).toEqual(["b0", "b1", "b2"]);
  });

  it("bounds each page by timeoutMs, and the iteration not at all by it", async () => {
    pagesTaking(60, 5);
    const seen: string[] = [];
    for await (const b of client.batch.list({ timeoutMs: 200 })) seen.push(b.batchId);
    expect(seen).toEqual(["b0", "b1", "b2", "b3", "b4", "b5"]); // 360 ms in all
    expect(server.calls.map((c) => c.deadlineMs)).toEqual(Array(6).fill(200));
    const error = await client.batch.list({ timeoutMs: 20 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as ApiError).code).toBe(Code.DeadlineExceeded);
  });

  it("asks for the next page while the caller is still working on this one", async () => {
    // The call starts (the interceptor sees it) before the caller is done with the page before it.
    const started: string[] = [];
    let calls = 0;
    const watched = new Client({
      apiKey: "k",
      baseUrl: server.url,
      interceptors: [
        (next) => (req) => {
          started.push(`call ${++calls}`);
          return next(req);
        },
      ],
    });
    const seen: string[] = [];
    for await (const r of watched.batch.listBatchResults("b1", { limit: 10 })) {
      if (seen.length % 10 === 9) started.push(`page ${Math.floor(seen.length / 10)} done`);
      seen.push(r.batchRequestId);
    }
    watched.close();
    expect(seen).toEqual(ids);
    expect(started).toEqual(["call 1", "call 2", "page 0 done", "call 3", "page 1 done"]);
  });

  it("a caller that stops early leaves at most one page asked for beyond where it stopped", async () => {
    const pagesSeen: (string | undefined)[] = [];
    for await (const page of client.batch.listBatchResults("b1", { limit: 5 }).pages()) {
      pagesSeen.push(page.paginationToken);
      if (pagesSeen.length === 2) break;
    }
    await server.arrived(3); // the page ahead of the one it stopped at
    expect(tokensSent()).toEqual([undefined, "o:5", "o:10"]);
    const items: string[] = [];
    for await (const r of client.batch.listBatchResults("b1", { limit: 5 })) {
      items.push(r.batchRequestId);
      if (items.length === 3) break;
    }
    await server.arrived(5);
    // Anything else the first iteration had asked for would have arrived before these, on the same connection.
    expect(tokensSent()).toEqual([undefined, "o:5", "o:10", undefined, "o:5"]);
  });

  it("a page ahead that fails is reported when the caller reaches it, and never if it stopped before", async () => {
    server.handle({
      listBatches: async (req) => {
        if (req.paginationToken === "1") throw new StatusError(status.NOT_FOUND, "gone");
        return { batches: [{ batchId: "b0" }], paginationToken: "1" };
      },
    });
    for await (const _ of client.batch.list()) break;
    const seen: string[] = [];
    const error = await (async () => {
      for await (const b of client.batch.list()) seen.push(b.batchId);
    })().catch((e: unknown) => e);
    expect(seen).toEqual(["b0"]);
    expect((error as ApiError).code).toBe(Code.NotFound);
  });

  it("sends nothing until the list is awaited or iterated", async () => {
    server.handle({ getBatch: async (req) => ({ batchId: req.batchId }) });
    client.batch.list({ limit: 5 });
    // A call made after it, on the same connection: a request the list had made would have arrived first.
    await client.batch.get("b1");
    expect(server.calls.map((c) => c.method)).toEqual(["GetBatch"]);
  });

  it("builds a page's items only once the page ahead has been asked for, and each page once", async () => {
    // Results pages are built this way: their views cost more than reading the next page's token.
    const log: string[] = [];
    const list = new PagedList<{ items: number[]; paginationToken: string | undefined }, number>(
      "Test",
      async (token) => {
        const n = Number(token ?? 0);
        log.push(`fetch ${n}`);
        const paginationToken = n < 2 ? String(n + 1) : undefined;
        return new UnbuiltPage(paginationToken, 1, () => {
          log.push(`build ${n}`);
          return { items: [n], paginationToken };
        });
      },
      (page) => page.items,
      undefined,
    );
    expect((await list).items).toEqual([0]);
    expect(await list).toBe(await list);
    const seen: number[] = [];
    for await (const item of list) seen.push(item);
    expect(seen).toEqual([0, 1, 2]);
    expect(log).toEqual(["fetch 0", "build 0", "fetch 1", "fetch 2", "build 1", "build 2"]);
  });

  it("stops a server that returns empty unbuilt pages with a token forever, counting them by size", async () => {
    let built = 0;
    let n = 0;
    const list = new PagedList<{ items: number[]; paginationToken: string | undefined }, number>(
      "Test",
      async () => {
        const paginationToken = `again-${n++}`;
        return new UnbuiltPage(paginationToken, 0, () => {
          built++;
          return { items: [], paginationToken };
        });
      },
      (page) => page.items,
      undefined,
      3,
    );
    const error = await (async () => {
      for await (const _ of list) {
        /* never reached */
      }
    })().catch((e: unknown) => e);
    expect((error as ApiError).message).toMatch(/3 empty pages in a row/);
    expect(n).toBe(3);
    // Each page is built when handed out (the caller sees every page), not to count its items.
    expect(built).toBe(3);
  });
});
