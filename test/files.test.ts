import { create } from "@bufbuild/protobuf";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import * as grpc from "@grpc/grpc-js";
import { randomBytes } from "node:crypto";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { promisify } from "node:util";
import { execFile } from "node:child_process";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Authenticator } from "../src/emulator/auth.js";
import { FileStore } from "../src/emulator/file-store.js";
import { filesImplementation } from "../src/emulator/files-service.js";
import { grpcServiceDefinition } from "../src/emulator/grpc-service.js";
import { startEmulator, type Emulator } from "../src/emulator/index.js";
import { PageTokens } from "../src/emulator/page-tokens.js";
import { ApiError, Client, Code, InputError } from "../src/index.js";
import { Files, UploadFileChunkSchema } from "../src/core/internal/wire.js";
import { startEmulatorProcess, type EmulatorProcess } from "./support/emulator-process.js";

const apiKey = "xai-files-test-key-0123456789";
const run = promisify(execFile);
const root = join(import.meta.dirname, "..");
const uploadMemory = join(import.meta.dirname, "support/upload-memory.ts");
const dir = mkdtempSync(join(tmpdir(), "xai-batch-files-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let emu: Emulator;
let client: Client;
beforeAll(async () => {
  emu = await startEmulator({ limits: { maxFileBytes: 2_000_000 } });
  client = new Client({ baseUrl: emu.url, apiKey });
});
afterAll(async () => {
  client.close();
  await emu.stop();
});

const collect = async (chunks: AsyncIterable<Uint8Array>) => {
  const parts: Uint8Array[] = [];
  for await (const c of chunks) parts.push(c);
  return Buffer.concat(parts);
};

describe("client.files against the emulator", () => {
  it("uploads bytes in pieces, then gets, lists, reads back, downloads and deletes the file", async () => {
    const content = randomBytes(1_000_000);
    const progress: number[] = [];
    const file = await client.files.upload(content, {
      filename: "input.jsonl",
      expiresAfterS: 3600,
      chunkBytes: 300_000,
      onProgress: (p) => progress.push(p.bytesSent),
    });
    expect(file).toMatchObject({ filename: "input.jsonl", sizeBytes: 1_000_000 });
    expect(file.id).toMatch(/^file_/);
    expect(file.expiresAt!.getTime() - file.createdAt!.getTime()).toBe(3_600_000);
    expect(progress).toEqual([300_000, 600_000, 900_000, 1_000_000]);

    expect(await client.files.get(file.id)).toMatchObject({ id: file.id, sizeBytes: 1_000_000 });
    const listed = [];
    for await (const f of client.files.list({ limit: 1 })) listed.push(f.id);
    expect(listed).toContain(file.id);
    expect((await collect(client.files.content(file.id))).equals(content)).toBe(true);

    const path = join(dir, "downloaded.jsonl");
    expect(await client.files.download(file.id, path)).toEqual({ bytes: 1_000_000 });
    expect(readFileSync(path).equals(content)).toBe(true);

    expect(await client.files.delete(file.id)).toEqual({ id: file.id, deleted: true });
    const gone = await client.files.get(file.id).catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(ApiError);
    expect((gone as ApiError).code).toBe(Code.NotFound);
  });

  it("takes a path (named after it), a Readable and an async iterable of chunks", async () => {
    const path = join(dir, "from-path.jsonl");
    writeFileSync(path, "a\n".repeat(1000));
    expect(await client.files.upload(path)).toMatchObject({ filename: "from-path.jsonl", sizeBytes: 2000 });
    expect(await client.files.upload(Readable.from([Buffer.from("one"), Buffer.from("two")]), { filename: "r.jsonl" })).toMatchObject({
      sizeBytes: 6,
    });
    const chunks = (async function* () {
      yield new Uint8Array([1, 2, 3]);
      yield new Uint8Array([4]);
    })();
    const file = await client.files.upload(chunks, { filename: "i.bin" });
    expect([...(await collect(client.files.content(file.id)))]).toEqual([1, 2, 3, 4]);
  });

  it("lists in pages by the sort key and direction asked for", async () => {
    const names = ["c-sort", "a-sort", "b-sort"];
    for (const [i, name] of names.entries()) await client.files.upload(Buffer.alloc(10 + i), { filename: name });
    const byName: string[] = [];
    for await (const f of client.files.list({ sortBy: "filename", order: "desc", limit: 2 }))
      if (f.filename.endsWith("-sort")) byName.push(f.filename);
    expect(byName).toEqual(["c-sort", "b-sort", "a-sort"]);
  });

  it("refuses, before sending anything, a name xAI refuses, a file over the limit, and a bad lifetime", async () => {
    const small = new Client({ baseUrl: emu.url, apiKey, limits: { maxFileBytes: 100 } });
    try {
      await expect(small.files.upload(Buffer.alloc(101), { filename: "big.jsonl" })).rejects.toThrow(
        /101 bytes; xAI accepts files of at most 100 bytes/,
      );
      await expect(small.files.upload(Readable.from([Buffer.alloc(60), Buffer.alloc(60)]), { filename: "s" })).rejects.toThrow(
        /over 100 bytes/,
      );
    } finally {
      small.close();
    }
    await expect(client.files.upload(Buffer.from("x"), { filename: 'bad"name' })).rejects.toBeInstanceOf(InputError);
    await expect(client.files.upload(Buffer.from("x"), { filename: "a".repeat(256) })).rejects.toThrow(/at most 255/);
    await expect(client.files.upload(Buffer.from("x"))).rejects.toThrow(/Expected `filename`/);
    await expect(client.files.upload(Buffer.from("x"), { filename: "t", expiresAfterS: 60 })).rejects.toThrow(/expiresAfterS/);
    await expect(client.files.upload(join(dir, "missing.jsonl"))).rejects.toThrow(/ENOENT. Check the path/);
  });

  it("the emulator refuses a file over its limit with RESOURCE_EXHAUSTED, and a stream without init first", async () => {
    const error = await client.files.upload(Buffer.alloc(2_000_001), { filename: "huge" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe(Code.ResourceExhausted);
    expect((error as ApiError).attempts).toBe(1);

    const raw = createClient(Files, createGrpcTransport({ baseUrl: emu.url }));
    const headers = { authorization: `Bearer ${apiKey}` };
    const dataFirst = async function* () {
      yield create(UploadFileChunkSchema, { chunk: { case: "data", value: new Uint8Array([1]) } });
    };
    await expect(raw.uploadFile(dataFirst(), { headers })).rejects.toMatchObject({ code: Code.InvalidArgument });
    const badTtl = async function* () {
      yield create(UploadFileChunkSchema, { chunk: { case: "init", value: { name: "x", expiresAfter: 10n } } });
    };
    await expect(raw.uploadFile(badTtl(), { headers })).rejects.toThrow(/expires_after must be from 3600 to 2592000/);
  });

  it("keeps teams apart: another key's file is NOT_FOUND", async () => {
    const file = await client.files.upload(Buffer.from("mine"), { filename: "mine" });
    const other = new Client({ baseUrl: emu.url, apiKey: "xai-other-team-key-0123456789" });
    try {
      await expect(other.files.get(file.id)).rejects.toMatchObject({ code: Code.NotFound });
    } finally {
      other.close();
    }
  });
});

/** Metadata with the tests' key, as the client sends it. */
function bearer(): grpc.Metadata {
  const metadata = new grpc.Metadata();
  metadata.set("authorization", `Bearer ${apiKey}`);
  return metadata;
}

describe("upload retries: never a duplicate file", () => {
  type Fault = "before-end" | "after-store" | undefined;
  let server: grpc.Server;
  let store: FileStore;
  let url: string;
  const faults: Fault[] = [];
  const contentCalls: { metadata: Record<string, unknown>; deadlineMs: number }[] = [];

  beforeAll(async () => {
    store = new FileStore(Date.now);
    const real = filesImplementation({
      store,
      auth: new Authenticator(undefined, {}),
      tokens: new PageTokens(randomBytes(32)),
      maxFileBytes: 10_000_000,
      onUnexpected: () => {},
    });
    const realUpload = real.uploadFile as grpc.handleClientStreamingCall<unknown, unknown>;
    // UploadFile, with the fault of the next call applied: UNAVAILABLE before the stream ends (nothing
    // stored), or the file stored and then the answer lost as UNAVAILABLE.
    const uploadFile: grpc.handleClientStreamingCall<unknown, unknown> = (call, callback) => {
      const fault = faults.shift();
      if (fault === "before-end") {
        call.once("data", () => callback({ code: grpc.status.UNAVAILABLE, details: "dropped mid-upload" }));
        return;
      }
      realUpload(call, (error, value) =>
        fault === "after-store" && !error ? callback({ code: grpc.status.UNAVAILABLE, details: "answer lost" }) : callback(error, value),
      );
    };
    const realContent = real.retrieveFileContent as grpc.handleServerStreamingCall<unknown, unknown>;
    const retrieveFileContent: grpc.handleServerStreamingCall<unknown, unknown> = (call) => {
      const deadline = call.getDeadline();
      contentCalls.push({
        metadata: call.metadata.getMap(),
        deadlineMs: deadline instanceof Date ? deadline.getTime() - Date.now() : Number(deadline) - Date.now(),
      });
      realContent(call);
    };
    server = new grpc.Server();
    server.addService(grpcServiceDefinition(Files), { ...real, uploadFile, retrieveFileContent });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
    );
    url = `http://127.0.0.1:${port}`;
  });
  afterAll(() => server.forceShutdown());
  afterEach(() => {
    faults.length = 0;
  });
  /** A client of the faulty server that retries at once. */
  const quickRetries = () => new Client({ baseUrl: url, apiKey, retry: { transientBackoff: { initialMs: 1, maxMs: 5, multiplier: 2 } } });

  /** Every stored file of that name, whichever team stored it. */
  const filesNamed = (name: string) => {
    const team = new Authenticator(undefined, {}).authenticate(bearer()).team;
    return store.list(team, "createdAt", false).filter((f) => f.filename === name);
  };

  it("retries from the first byte when the upload failed before its end, storing it once", async () => {
    const c = quickRetries();
    try {
      faults.push("before-end");
      const file = await c.files.upload(randomBytes(700_000), { filename: "retry-before-end", chunkBytes: 100_000 });
      expect(file.sizeBytes).toBe(700_000);
      expect(filesNamed("retry-before-end")).toHaveLength(1);
    } finally {
      c.close();
    }
  });

  it("after an answer lost once the file was stored, returns the stored file instead of uploading it again", async () => {
    const c = quickRetries();
    try {
      faults.push("after-store");
      const file = await c.files.upload(randomBytes(1000), { filename: "retry-after-store" });
      expect(filesNamed("retry-after-store").map((f) => f.id)).toEqual([file.id]);
    } finally {
      c.close();
    }
  });

  it("reads content with the metadata and deadline of every call: the key, the caller's metadata, a fresh request id", async () => {
    const c = new Client({ baseUrl: url, apiKey, timeoutMs: 7_000 });
    try {
      const file = await c.files.upload(Buffer.from("abc"), { filename: "content-metadata" });
      for (let i = 0; i < 2; i++)
        expect((await collect(c.files.content(file.id, { metadata: { "x-trace": "t1" } }))).toString()).toBe("abc");
      const [first, second] = contentCalls.slice(-2);
      expect(first!.metadata).toMatchObject({
        authorization: `Bearer ${apiKey}`,
        "x-trace": "t1",
        "x-request-id": expect.stringMatching(/^[0-9a-f-]{36}$/),
      });
      expect(second!.metadata["x-request-id"]).not.toBe(first!.metadata["x-request-id"]);
      expect(first!.deadlineMs).toBeGreaterThan(5_000);
      expect(first!.deadlineMs).toBeLessThanOrEqual(7_000);
    } finally {
      c.close();
    }
  });

  it("does not retry a stream, which cannot be read twice", async () => {
    const c = quickRetries();
    try {
      faults.push("before-end");
      const error = await c.files.upload(Readable.from([Buffer.alloc(10)]), { filename: "stream-once" }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: Code.Unavailable, attempts: 1 });
      expect(filesNamed("stream-once")).toHaveLength(0);
    } finally {
      c.close();
    }
  });
});

describe("a 100 MB upload", () => {
  let served: EmulatorProcess;
  beforeAll(async () => {
    served = await startEmulatorProcess([]);
  });
  afterAll(() => served.stop());

  it("streams from disk in bounded memory, whatever the file's size", async () => {
    const path = writeFileOf(join(dir, "big.bin"), 100);
    // In a process of its own with the collector at hand, so only buffers still alive are counted.
    const { stdout } = await run(process.execPath, ["--expose-gc", "--import", "tsx", uploadMemory, served.url, path], { cwd: root });
    const { sizeBytes, peakArrayBuffers } = JSON.parse(stdout) as { sizeBytes: number; peakArrayBuffers: number };
    expect(sizeBytes).toBe(100 * 1024 * 1024);
    // A client that buffered the file would hold its 100 MiB. Measured here: about 20-26 MiB whether the
    // file is 10 MB or 200 MB (pieces of 3 MiB read ahead, framed and in flight).
    expect(peakArrayBuffers).toBeLessThan(48 * 1024 * 1024);
  }, 60_000);
});

/** Writes a file of `mib` MiB a MiB at a time, so the test holds no buffer of the file's size itself. */
function writeFileOf(path: string, mib: number): string {
  const fd = openSync(path, "w");
  const piece = Buffer.alloc(1024 * 1024, 7);
  for (let i = 0; i < mib; i++) writeSync(fd, piece);
  closeSync(fd);
  return path;
}
