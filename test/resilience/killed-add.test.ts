import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { Client, type AddResult } from "../../src/index.js";

const child = fileURLToPath(new URL("../support/add-child.ts", import.meta.url));
const tsxLoader = new URL("../../node_modules/tsx/dist/loader.mjs", import.meta.url).href;

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.stop();
  emu = undefined;
});

/** Runs the adding process; `killWhen` sees each progress count and SIGKILLs it when it returns true. */
function runAdd(url: string, batchId: string, count: number, killWhen: (added: number) => boolean = () => false) {
  const proc = spawn(process.execPath, ["--import", tsxLoader, child, url, batchId, String(count)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let output = "";
  proc.stdout.on("data", (chunk: Buffer) => {
    output += chunk;
    const last = /progress (\d+)\n$/.exec(output);
    if (last !== null && killWhen(Number(last[1])) && proc.exitCode === null) proc.kill("SIGKILL");
  });
  const timer = setTimeout(() => proc.kill("SIGKILL"), 30_000);
  return new Promise<{ signal: NodeJS.Signals | null; result: AddResult | undefined }>((resolve) => {
    proc.on("close", (_code, signal) => {
      clearTimeout(timer);
      const result = /result (.*)\n/.exec(output)?.[1];
      resolve({ signal, result: result === undefined ? undefined : (JSON.parse(result) as AddResult) });
    });
  });
}

it("an adding process SIGKILLed mid-add and run again adds each request once, and its summary says exactly what happened", async () => {
  emu = await startEmulator({
    limits: { addCallsPerWindow: 1_000, addWindowMs: 1_000, createIntervalMs: 0 },
    processing: { requestsPerSecond: 0 },
    faults: { latencyMs: 30 },
  });
  const client = new Client({ apiKey: "k", baseUrl: emu.url });
  const { batchId } = await client.batch.create("killed");
  client.close();
  const total = 40_000;

  const killed = await runAdd(emu.url, batchId, total, (added) => added >= 4_000);
  expect(killed.signal).toBe("SIGKILL");
  // What the killed process had in flight may still be arriving: once the emulator has seen every
  // connection close and has answered every call it received, nothing more can land.
  await emu.waitFor((c) => c.connectionsClosed === c.connectionsAccepted);
  await emu.settled();
  const before = emu.requestIds(batchId).length;
  expect(before).toBeGreaterThanOrEqual(4_000);
  expect(before).toBeLessThan(total);

  const rerun = await runAdd(emu.url, batchId, total);
  expect(rerun.result).toMatchObject({ requestsRead: total, alreadyPresent: before, requestsAdded: total - before });
  // Exactly once by the emulator's count: every id once, nothing applied twice, no id refused as a duplicate.
  const ids = emu.requestIds(batchId);
  expect(ids).toHaveLength(total);
  expect(new Set(ids).size).toBe(total);
  expect(emu.counters().requestsApplied).toBe(total);
  expect(emu.counters().rejections.duplicate).toBe(0);
  // Learning what the batch held took one listing of it, not one per call.
  expect(rerun.result!.listCalls).toBe(Math.ceil(before / 1_000));
}, 60_000);
