import { status } from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { BadRequestSchema } from "../../src/core/internal/wire.js";
import { chat, chats, detail, failure, useEmulators } from "./helpers.js";

/** Bytes of an error's trailers as grpc-js received them: the message plus every metadata value. */
function trailerBytes(error: { details: string; metadata: { toJSON(): Record<string, unknown[]> } }): number {
  let bytes = Buffer.byteLength(error.details);
  for (const [key, values] of Object.entries(error.metadata.toJSON()))
    for (const v of values) bytes += key.length + (Buffer.isBuffer(v) ? v.length : String(v).length);
  return bytes;
}

describe("bounded error payloads", () => {
  const env = useEmulators();

  it("names the first 10 of 10,000 duplicate ids and counts the rest, in trailers of a few KB", async () => {
    const { emu, client, batchId } = await env.withBatch({ limits: { addCallsPerWindow: 1000 } });
    await client.call("addBatchRequests", { batchId, batchRequests: chats(10_000, "duplicate-id-of-some-length-") });
    const error = await failure(client.call("addBatchRequests", { batchId, batchRequests: chats(10_000, "duplicate-id-of-some-length-") }));

    expect(error.code).toBe(status.ALREADY_EXISTS);
    expect(error.details).toContain('"duplicate-id-of-some-length-0" already exists');
    expect(error.details).toContain("and 9999 more; 10 of 10000 are named");
    const violations = detail(error, BadRequestSchema)!.fieldViolations;
    expect(violations.map((v) => v.field)).toEqual(Array.from({ length: 10 }, (_, i) => `batch_requests[${i}].batch_request_id`));
    // It was ~1 MB; HTTP/2 clients commonly accept 8-16 KiB of headers.
    expect(trailerBytes(error)).toBeLessThan(4096);
    expect(emu.requestIds(batchId)).toHaveLength(10_000);
  });

  it("cuts a huge id or model name quoted back in a message", async () => {
    const { client, batchId } = await env.withBatch();
    const longId = "x".repeat(100_000);
    const unknownModel = await failure(
      client.call("addBatchRequests", { batchId, batchRequests: [chat(longId, "hi", "m".repeat(100_000))] }),
    );
    expect(unknownModel.code).toBe(status.INVALID_ARGUMENT);
    expect(trailerBytes(unknownModel)).toBeLessThan(4096);
    const notFound = await failure(client.call("getBatchRequestResult", { batchId, batchRequestId: longId }));
    expect(notFound.code).toBe(status.NOT_FOUND);
    expect(notFound.details).toBe(`batch request "${"x".repeat(64)}…" not found in batch ${batchId}`);
  });
});
