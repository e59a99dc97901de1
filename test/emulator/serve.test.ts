import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { serveCommand } from "../../src/emulator/serve.js";
import { chats, TestClient, useEmulators } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "xai-batch-serve-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const children: ChildProcessWithoutNullStreams[] = [];
afterEach(() => {
  // tsx runs the command in a child node process: kill the whole group so nothing outlives a failed test.
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, "SIGKILL");
});

// The tsx binary that `npx tsx` runs, started directly: npx itself, on SIGTERM, forwards the signal and
// then dies of it, so its exit code would not be the command's.
const root = join(import.meta.dirname, "../..");

function serve(args: string[]) {
  const child = spawn(join(root, "node_modules/.bin/tsx"), ["src/emulator/main.ts", ...args], { cwd: root, detached: true });
  children.push(child);
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const listening = new Promise<string>((resolve, reject) => {
    child.stdout.on("data", () => {
      const url = /xai-batch emulator listening on (http:\/\/\S+)/.exec(stdout)?.[1];
      if (url) resolve(url);
    });
    child.on("exit", () => reject(new Error(`exited before listening: ${stderr}`)));
  });
  listening.catch(() => {});
  return { child, listening, exited, stderr: () => stderr };
}

describe("xai-batch serve", () => {
  const env = useEmulators();

  it("prints its address, serves, and exits 0 on SIGTERM with its journal on disk", async () => {
    const persist = join(dir, "serve.jsonl");
    const server = serve([
      "--port",
      "0",
      "--persist",
      persist,
      "--persist-no-sync",
      "--api-keys",
      "k1,k2",
      "--rate",
      "0",
      "--max-connections",
      "5",
    ]);
    const url = await server.listening;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const client = new TestClient(url, "k1");
    const { batchId } = await client.call("createBatch", { name: "served" });
    await client.call("addBatchRequests", { batchId, batchRequests: chats(3) });
    client.close();
    server.child.kill("SIGTERM");
    expect(await server.exited).toBe(0);

    const reloaded = await env.start({ persistPath: persist });
    expect(reloaded.requestIds(batchId)).toEqual(["r0", "r1", "r2"]);
  }, 20_000);

  it("exits 2 on an unknown flag", async () => {
    const server = serve(["--bogus"]);
    expect(await server.exited).toBe(2);
    expect(server.stderr()).toContain("xai-batch serve: Unknown option '--bogus'");
  }, 20_000);

  it.each([
    [["--rate", "fast"], "--rate expects a number"],
    [["--add-window-ms", "0"], "Expected `limits.addWindowMs` to be a positive integer, got 0"],
    [["--file", "no-equals-sign"], "--file expects ID=PATH"],
    [["--latency-ms", "9-3"], "Expected `faults.latencyMs`"],
    [["extra"], "Unexpected argument"],
    [["--max-connections", "0"], "Expected `maxConnections` to be a positive integer, got 0"],
    [["--max-concurrent-streams", "0"], "Expected `maxConcurrentStreams` to be an integer from 1"],
    [["--max-header-list-bytes", "10"], "Expected `maxHeaderListBytes` to be an integer >= 1024, got 10"],
  ])("returns 2 for %j with a message on stderr", async (args, message) => {
    const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      expect(await serveCommand(args)).toBe(2);
      expect(String(stderr.mock.calls[0]?.[0])).toContain(message);
    } finally {
      stderr.mockRestore();
    }
  });
});
