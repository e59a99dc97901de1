import { create, toBinary } from "@bufbuild/protobuf";
import { once } from "node:events";
import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { afterEach, expect, it } from "vitest";
import { BatchSchema, Client, Code, type RetryEvent } from "../../src/index.js";
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
        // The server goes away with the call open: every connection is closed abruptly, once this
        // handler has returned.
        setImmediate(() => void server!.restart());
        return new Promise(() => {});
      }
      return { batchId: request.batchId, name: "after the restart" };
    },
  });
  const retries: RetryEvent[] = [];
  client = new Client({
    apiKey: "k",
    baseUrl: server.url,
    retry: { onRetry: (e) => retries.push(e), transientBackoff: { initialMs: 50, maxMs: 200, multiplier: 2 } },
  });
  const batch = await client.batch.get("batch_1", { timeoutMs: 10_000 });
  expect(batch.name).toBe("after the restart");
  // A retry that lands while the server is still rebinding is refused and retried again; each is UNAVAILABLE.
  expect(retries.length).toBeGreaterThanOrEqual(1);
  expect(retries.map((r) => r.error.code)).toEqual(retries.map(() => Code.Unavailable));
});

it("a call the caller aborts stays CANCELED and is not retried", async () => {
  const stop = new AbortController();
  // Aborted once the server holds the call, after its handler has returned.
  server = await startTestServer({
    getBatch: () => {
      setImmediate(() => stop.abort());
      return new Promise(() => {});
    },
  });
  const retries: RetryEvent[] = [];
  client = new Client({ apiKey: "k", baseUrl: server.url, retry: { onRetry: (e) => retries.push(e) } });
  await expect(client.batch.get("batch_1", { signal: stop.signal })).rejects.toMatchObject({ code: Code.Canceled, attempts: 1 });
  expect(retries).toEqual([]);
});

it("calls cut off by close() stay CANCELED and are not retried", async () => {
  // Closed once the server holds the call, after its handler has returned.
  server = await startTestServer({
    getBatch: () => {
      setImmediate(() => client!.close());
      return new Promise(() => {});
    },
  });
  const retries: RetryEvent[] = [];
  client = new Client({ apiKey: "k", baseUrl: server.url, retry: { onRetry: (e) => retries.push(e) } });
  const pending = client.batch.get("batch_1");
  await expect(pending).rejects.toMatchObject({ code: Code.Canceled, attempts: 1 });
  expect(retries).toEqual([]);
});

/**
 * A bare HTTP/2 server speaking just enough gRPC for GetBatch: its first stream is reset with `rstCode`
 * (what a proxy or a dying server does to a call in flight), later ones get a batch.
 */
async function resettingServer(rstCode: number): Promise<{ url: string; streams: () => number; close: () => Promise<void> }> {
  let streams = 0;
  const server = http2.createServer();
  server.on("stream", (stream) => {
    if (++streams === 1) {
      // Node reports a reset other than CANCEL on the resetting side too; that side is not under test.
      stream.on("error", () => {});
      stream.close(rstCode);
      return;
    }
    const message = toBinary(BatchSchema, create(BatchSchema, { batchId: "batch_1", name: "after the reset" }));
    const frame = Buffer.alloc(5 + message.length);
    frame.writeUInt32BE(message.length, 1);
    frame.set(message, 5);
    stream.respond({ ":status": 200, "content-type": "application/grpc" }, { waitForTrailers: true });
    stream.on("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
    stream.end(frame);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    streams: () => streams,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

it.each([
  ["CANCEL", http2.constants.NGHTTP2_CANCEL],
  ["REFUSED_STREAM", http2.constants.NGHTTP2_REFUSED_STREAM],
])("a stream reset with %s under a call is UNAVAILABLE and retried", async (_name, rstCode) => {
  const reset = await resettingServer(rstCode);
  const retries: RetryEvent[] = [];
  const c = new Client({
    apiKey: "k",
    baseUrl: reset.url,
    retry: { onRetry: (e) => retries.push(e), transientBackoff: { initialMs: 10, maxMs: 50, multiplier: 2 } },
  });
  try {
    const batch = await c.batch.get("batch_1", { timeoutMs: 5_000 });
    expect(batch.name).toBe("after the reset");
    expect(retries.map((r) => r.error.code)).toEqual([Code.Unavailable]);
    expect(retries[0]!.error.rawMessage).toMatch(/stream closed with error code/i);
    expect(reset.streams()).toBe(2);
  } finally {
    c.close();
    await reset.close();
  }
});
