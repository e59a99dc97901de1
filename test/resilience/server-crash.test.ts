import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { Client, Code, user, type RetryEvent } from "../../src/index.js";
import { startEmulatorProcess, type EmulatorProcess } from "../support/emulator-process.js";

let server: EmulatorProcess | undefined;
let dir: string | undefined;
afterEach(async () => {
  await server?.stop();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  server = dir = undefined;
});

it("an add rides through the emulator being SIGKILLed and restarted under it, each request once", async () => {
  dir = mkdtempSync(join(tmpdir(), "xai-batch-crash-"));
  const args = [
    "--persist",
    join(dir, "journal"),
    "--rate",
    "0",
    "--create-interval-ms",
    "0",
    "--add-calls-per-window",
    "100000",
    "--add-window-ms",
    "1000",
  ];
  server = await startEmulatorProcess(args);
  const retries: RetryEvent[] = [];
  let crash: Promise<void> | undefined;
  // The emulator stays down until the add has had a call fail against it.
  let outageSeen = () => {};
  const outage = new Promise<void>((resolve) => (outageSeen = resolve));
  const client = new Client({
    apiKey: "k",
    baseUrl: server.url,
    limits: { addCallsPerWindow: 100_000, addWindowMs: 1_000 },
    retry: {
      transientBackoff: { initialMs: 20, maxMs: 500, multiplier: 2 },
      onRetry: (e) => {
        retries.push(e);
        if (crash !== undefined && e.error.code === Code.Unavailable) outageSeen();
      },
    },
  });
  const batch = await client.batch.create("crash");
  const total = 60_000;
  async function* requests() {
    for (let i = 0; i < total; i++) yield client.chat.create("grok-4", { batchRequestId: `c${i}` }).append(user(`question ${i}`));
  }
  const result = await client.batch.add(batch.batchId, requests(), {
    maxRequestsPerCall: 500,
    onProgress: (p) => {
      if (crash === undefined && p.requestsAdded >= 10_000) crash = server!.crashAndRestart(outage);
    },
  });
  await crash;
  expect(result).toMatchObject({ requestsAdded: total, alreadyPresent: 0 });
  expect(retries.some((r) => r.error.code === Code.Unavailable)).toBe(true);

  // Exactly once by the server's own records, after its restart.
  const after = await client.batch.get(batch.batchId);
  expect(after.counts.total).toBe(total);
  const ids: string[] = [];
  for await (const meta of client.batch.listBatchRequests(batch.batchId, { limit: 1_000 })) ids.push(meta.batchRequestId);
  client.close();
  expect(ids).toHaveLength(total);
  expect(new Set(ids).size).toBe(total);
}, 60_000);
