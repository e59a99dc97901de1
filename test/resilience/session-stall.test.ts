import { subscribe } from "node:diagnostics_channel";
import type { Socket } from "node:net";
import { status as GrpcStatus } from "@grpc/grpc-js";
import { afterEach, expect, it } from "vitest";
import { badRequest, StatusError } from "../../src/emulator/status.js";
import { ApiError, Client, Code, type RetryEvent } from "../../src/index.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

let server: TestServer | undefined;
let client: Client | undefined;
const uncaught: unknown[] = [];
const record = (error: unknown) => uncaught.push(error);
afterEach(async () => {
  process.off("uncaughtException", record);
  client?.close();
  await server?.stop();
  server = client = undefined;
});

/**
 * An error whose google.rpc details run to ~1 MB of trailers, as an ALREADY_EXISTS naming 10,000
 * duplicate ids once did: past ~64 KB the client's HTTP/2 session stops reading them, and only the
 * PING timeout ends the call.
 */
function oversizedTrailers(): StatusError {
  const violations = Array.from({ length: 10_000 }, (_, i) => ({
    field: `batch_requests[${i}] (batch_request_id "request-${i}-${"x".repeat(40)}")`,
    description: "batch_request_id already exists in this batch",
  }));
  return new StatusError(GrpcStatus.ALREADY_EXISTS, "duplicate ids", [badRequest(violations)]);
}

const scaledPings = { pingIntervalMs: 200, pingTimeoutMs: 200 };
/**
 * Node 20's HTTP/2 client stops reading trailers this large and the call stalls until the PING timeout;
 * Node 22 and later refuse them at once as a protocol error (INTERNAL, which no retry can cure).
 */
const stalls = Number(process.versions.node.split(".")[0]) < 22;
// Each connection the client opens, until its socket is closed: then its session is gone, and no PING
// timer of it is left to fire.
const closing: Promise<unknown>[] = [];
subscribe("net.client.socket", (message) => {
  const { socket } = message as { socket: Socket };
  closing.push(new Promise((resolve) => socket.once("close", resolve)));
});
/** Resolves once every connection the client opened is closed. */
const settle = () => Promise.all(closing.splice(0));

it("a call stalled on oversized trailers ends (UNAVAILABLE by the PING timeout on Node 20), and nothing escapes as an uncaught error", async () => {
  process.on("uncaughtException", record);
  server = await startTestServer({
    getBatch: async () => {
      throw oversizedTrailers();
    },
  });
  client = new Client({ apiKey: "k", baseUrl: server.url, http2: scaledPings, retry: { maxAttempts: 1 } });
  const error = (await client.batch.get("batch_1", { timeoutMs: 10_000 }).catch((e: unknown) => e)) as ApiError;
  expect(error).toBeInstanceOf(ApiError);
  if (stalls) {
    expect(error.code).toBe(Code.Unavailable);
    expect(error.rawMessage).toMatch(/PING timed out/);
  } else {
    expect(error.code).toBe(Code.Internal);
  }
  // The user gives up and closes: the stalled session's own PING timeout fires after that, and must not crash the process.
  client.close();
  await settle();
  expect(uncaught).toEqual([]);
});

it("the stalled (or refused) session is replaced: the next call goes out on a new connection and succeeds", async () => {
  process.on("uncaughtException", record);
  let calls = 0;
  server = await startTestServer({
    getBatch: async (request) => {
      if (++calls === 1) throw oversizedTrailers();
      return { batchId: request.batchId, name: "after the stall" };
    },
  });
  const retries: RetryEvent[] = [];
  client = new Client({ apiKey: "k", baseUrl: server.url, http2: scaledPings, retry: { onRetry: (e) => retries.push(e) } });
  if (stalls) {
    const batch = await client.batch.get("batch_1", { timeoutMs: 10_000 });
    expect(batch.name).toBe("after the stall");
    expect(retries.map((r) => r.error.code)).toEqual([Code.Unavailable]);
    expect(server.calls.map((c) => c.method)).toEqual(["GetBatch", "GetBatch"]);
  } else {
    await expect(client.batch.get("batch_1", { timeoutMs: 10_000 })).rejects.toMatchObject({ code: Code.Internal });
  }
  // Later calls keep working on the replacement connection.
  await expect(client.batch.get("batch_2", { timeoutMs: 5_000 })).resolves.toMatchObject({ batchId: "batch_2" });
  client.close();
  await settle();
  expect(uncaught).toEqual([]);
});
