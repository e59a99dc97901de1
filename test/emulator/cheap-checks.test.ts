import { Metadata, status } from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { failure, grpcFrame, rawCall, useEmulators } from "./helpers.js";

const addPath = "/xai_api.BatchMgmt/AddBatchRequests";

/** An AddBatchRequests body of `bytes` bytes: nothing but empty batch requests (field 2, length 0), ~33.5M of them for 64 MiB. */
function emptyRequests(bytes: number): Buffer {
  const body = Buffer.alloc(bytes);
  for (let at = 0; at < bytes; at += 2) body[at] = 0x12;
  return body;
}

describe("cheap checks before decoding", () => {
  const env = useEmulators();

  it("refuses a 64 MiB body without authorization without decoding it", async () => {
    const emu = await env.start();
    // Decoding this body, ~33.5M empty requests, took 22 s and 4.7 GB: the counters show it was not.
    const { grpcStatus, grpcMessage } = await rawCall(emu.url, addPath, grpcFrame(emptyRequests(64 * 1024 * 1024 - 16)), null);
    expect(grpcStatus).toBe(String(status.UNAUTHENTICATED));
    expect(grpcMessage).toContain("authorization");
    const counters = emu.counters();
    expect(counters.rejections.auth).toBe(1);
    expect(counters.messagesDecoded).toBe(0);
    await expect(env.client(emu).call("listBatches", {})).resolves.toBeDefined();
    expect(emu.counters().messagesDecoded).toBe(1);
  });

  it("refuses an authenticated AddBatchRequests over maxAddBytes on its wire length, without decoding it", async () => {
    const warnings: string[] = [];
    const emu = await env.start({ limits: { maxAddBytes: 1_000_000 }, onWarning: (w) => warnings.push(w) });
    for (let i = 0; i < 2; i++) {
      const { grpcStatus, grpcMessage } = await rawCall(emu.url, addPath, grpcFrame(emptyRequests(4_000_000)));
      expect(grpcStatus).toBe(String(status.RESOURCE_EXHAUSTED));
      expect(grpcMessage).toContain("4000000 bytes, over the limit of 1000000 bytes");
    }
    expect(emu.counters().rejections.size).toBe(2);
    expect(warnings).toEqual([expect.stringContaining("see counters().rejections.size")]);
    expect(emu.counters().messagesDecoded).toBe(0);
  });

  it("refuses a message declared larger than maxReceiveMessageBytes before its body arrives", async () => {
    const warnings: string[] = [];
    const emu = await env.start({ maxReceiveMessageBytes: 1024 * 1024, onWarning: (w) => warnings.push(w) });
    // Declares 512 MiB and sends 10 bytes: the refusal must come from the declared length alone.
    const { grpcStatus } = await rawCall(emu.url, addPath, grpcFrame(Buffer.alloc(10), 512 * 1024 * 1024));
    expect(grpcStatus).toBe(String(status.RESOURCE_EXHAUSTED));
    expect(emu.counters().messagesDecoded).toBe(0);
    // grpc-js refuses it before any handler runs; the connection guard saw the prefix and counted it.
    expect(emu.counters().rejections.size).toBe(1);
    expect(warnings).toEqual([expect.stringContaining("declaring a 536870912-byte message, over 1048576 (maxReceiveMessageBytes)")]);
  });

  it("refuses metadata over maxHeaderListBytes with RESOURCE_EXHAUSTED before decoding", async () => {
    const emu = await env.start({ maxHeaderListBytes: 4096 });
    const client = env.client(emu);
    const metadata = client.metadata();
    metadata.set("x-padding", "p".repeat(5000));
    const error = await failure(client.call("listBatches", {}, metadata));
    expect(error.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(error.details).toContain("maxHeaderListBytes");
    expect(emu.counters().messagesDecoded).toBe(0);

    const small = new Metadata();
    small.set("authorization", "Bearer test-key");
    await expect(client.call("listBatches", {}, small)).resolves.toBeDefined();
  });

  it("ends a connection whose header block is too large for HTTP/2 itself, counts it, and serves the next", async () => {
    const emu = await env.start({ onWarning: () => {} });
    const client = env.client(emu);
    const metadata = client.metadata();
    metadata.set("x-padding", "p".repeat(200_000));
    await failure(client.call("listBatches", {}, metadata));
    expect(emu.counters().sessionsFailed).toBe(1);
    expect(emu.counters().messagesDecoded).toBe(0);
    await expect(env.client(emu).call("listBatches", {})).resolves.toBeDefined();
  });
});
