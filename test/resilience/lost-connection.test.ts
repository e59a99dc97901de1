import { afterEach, expect, it } from "vitest";
import { Client, Code, type RetryEvent } from "../../src/index.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

let server: TestServer | undefined;
let client: Client | undefined;
afterEach(async () => {
  client?.close();
  await server?.stop();
  server = client = undefined;
});

it("a connection cut under a call is UNAVAILABLE and retried, not CANCELED", async () => {
  let calls = 0;
  server = await startTestServer({
    getBatch: async (request) => {
      if (++calls === 1) {
        // The server goes away with the call open: every connection is closed abruptly.
        setTimeout(() => void server!.restart(), 50);
        return new Promise(() => {});
      }
      return { batchId: request.batchId, name: "after the restart" };
    },
  });
  const retries: RetryEvent[] = [];
  client = new Client({ apiKey: "k", baseUrl: server.url, retry: { onRetry: (e) => retries.push(e), transientBackoff: { initialMs: 50, maxMs: 200, multiplier: 2 } } });
  const batch = await client.batch.get("batch_1", { timeoutMs: 10_000 });
  expect(batch.name).toBe("after the restart");
  expect(retries).toHaveLength(1);
  expect(retries[0]!.error.code).toBe(Code.Unavailable);
});

it("a call the caller aborts stays CANCELED and is not retried", async () => {
  server = await startTestServer({ getBatch: () => new Promise(() => {}) });
  const retries: RetryEvent[] = [];
  client = new Client({ apiKey: "k", baseUrl: server.url, retry: { onRetry: (e) => retries.push(e) } });
  const stop = new AbortController();
  setTimeout(() => stop.abort(), 50);
  await expect(client.batch.get("batch_1", { signal: stop.signal })).rejects.toMatchObject({ code: Code.Canceled, attempts: 1 });
  expect(retries).toEqual([]);
});

it("calls cut off by close() stay CANCELED and are not retried", async () => {
  server = await startTestServer({ getBatch: () => new Promise(() => {}) });
  const retries: RetryEvent[] = [];
  client = new Client({ apiKey: "k", baseUrl: server.url, retry: { onRetry: (e) => retries.push(e) } });
  const pending = client.batch.get("batch_1");
  setTimeout(() => client!.close(), 50);
  await expect(pending).rejects.toMatchObject({ code: Code.Canceled, attempts: 1 });
  expect(retries).toEqual([]);
});
