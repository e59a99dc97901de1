import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, expect, it } from "vitest";
import { startEmulator, type Emulator, type EmulatorOptions } from "../../src/emulator/index.js";
import { Client } from "../../src/index.js";

const dir = mkdtempSync(join(tmpdir(), "xai-batch-uploads-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let emu: Emulator | undefined;
let client: Client | undefined;
afterEach(async () => {
  client?.close();
  await emu?.stop();
  emu = client = undefined;
});

async function start(options: Partial<EmulatorOptions>): Promise<Client> {
  emu = await startEmulator({ limits: { createIntervalMs: 0 }, processing: { requestsPerSecond: 5_000 }, ...options });
  client = new Client({ apiKey: "xai-uploads-key", baseUrl: emu.url });
  return client;
}

async function restart(options: Partial<EmulatorOptions>): Promise<Client> {
  client?.close();
  await emu?.stop();
  return start(options);
}

const line = (id: string) =>
  JSON.stringify({
    custom_id: id,
    method: "POST",
    url: "/v1/chat/completions",
    body: { model: "grok-4", messages: [{ role: "user", content: `q ${id}` }] },
  });

it("with a journal, uploads survive a restart: listed, readable, deleted ones gone, and a file batch still loads", async () => {
  const persistPath = join(dir, "uploads.journal");
  const content = [line("u1"), line("u2"), line("u3")].join("\n");
  let c = await start({ persistPath, fileLoadDelayMs: 60_000 });
  const kept = await c.files.upload(Buffer.from(content), { filename: "kept.jsonl" });
  const gone = await c.files.upload(Buffer.from(line("x")), { filename: "gone.jsonl" });
  await c.files.delete(gone.id);
  // Created before the restart, its file not loaded yet: the file must still be there to load from.
  const batch = await c.batch.create("from an upload", { inputFileId: kept.id });
  const warnings: string[] = [];

  c = await restart({ persistPath, fileLoadDelayMs: 10, onWarning: (m) => warnings.push(m) });
  expect(warnings).toEqual([]);
  expect((await c.files.list()).files.map((f) => [f.id, f.filename, f.sizeBytes])).toEqual([
    [kept.id, "kept.jsonl", Buffer.byteLength(content)],
  ]);
  const chunks: Uint8Array[] = [];
  for await (const chunk of c.files.content(kept.id)) chunks.push(chunk);
  expect(Buffer.concat(chunks).toString("utf8")).toBe(content);
  expect(await c.batch.wait(batch.batchId, { pollIntervalMs: 20, totalTimeoutMs: 10_000 })).toMatchObject({
    status: "completed",
    counts: { total: 3, succeeded: 3 },
  });
  const later = await c.files.upload(Buffer.from(line("v")), { filename: "later.jsonl" });
  // Upload order, and so listing order, continues where it was.
  expect((await c.files.list({ sortBy: "createdAt" })).files.map((f) => f.id)).toEqual([kept.id, later.id]);
});

it("drops, and says so, what a crash left half-written among the uploads", async () => {
  const persistPath = join(dir, "torn-upload.journal");
  let c = await start({ persistPath });
  const kept = await c.files.upload(Buffer.from(line("k")), { filename: "kept.jsonl" });
  const uploads = `${persistPath}.uploads`;
  writeFileSync(join(uploads, `${kept.id}.upload.4242.tmp`), "half of a fi");
  writeFileSync(
    join(uploads, "file_00000000-0000-0000-0000-000000000000.upload"),
    '{"id":"file_00000000-0000-0000-0000-000000000000","size":100}\nshort',
  );
  const warnings: string[] = [];
  c = await restart({ persistPath, onWarning: (m) => warnings.push(m) });
  expect(warnings).toHaveLength(2);
  for (const warning of warnings) expect(warning).toMatch(/not a whole upload .*: removed$/);
  expect((await c.files.list()).files.map((f) => f.id)).toEqual([kept.id]);
  expect(readdirSync(uploads)).toEqual([`${kept.id}.upload`]);
});
