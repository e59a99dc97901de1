import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { Client } from "../../src/index.js";
import { apiKey, batchOf, chatLine, chatLines, useCli } from "./helpers.js";

// Each exit code tells the person what to do next: 0 nothing, 1 run it again, 2 fix the command or input,
// 3 look at what did not succeed, 4 fix what the service refused.
const cli = useCli();

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("exit codes", () => {
  it("0 when every request succeeded, 3 when some failed", async () => {
    const emu = await cli.emulator();
    expect((await cli.run(["wait", await batchOf(emu, chatLines(3)), ...cli.at(emu)])).code).toBe(0);
    expect((await cli.run(["wait", await batchOf(emu, chatLines(3, "p", { fail: 2 })), ...cli.at(emu)])).code).toBe(3);
  }, 20_000);

  it("1 (run it again) when the service cannot be reached", async () => {
    const done = await cli.run(["status", "batch_x", "--base-url", `http://127.0.0.1:${await closedPort()}`]);
    expect(done.code).toBe(1);
    expect(done.stderr).toContain("run the same command again");
  }, 30_000);

  it("2 for a bad command line, before anything is sent", async () => {
    const emu = await cli.emulator();
    expect((await cli.run(["status", "batch_x", "--jsn", ...cli.at(emu)])).code).toBe(2);
    expect(Object.values(emu.counters().calls).every((n) => n === 0)).toBe(true);
  });

  it("4 (fix it first) for a batch id the service does not know: re-running cannot help", async () => {
    const emu = await cli.emulator();
    const done = await cli.run(["status", "batch_nope", ...cli.at(emu)]);
    expect(done.code).toBe(4);
    expect(done.stderr).toContain("Check the batch id");
  });

  it("4 when the service refuses the first add with INVALID_ARGUMENT, and the empty batch is cancelled, not left behind", async () => {
    const emu = await cli.emulator();
    // --models any: the client does not check, so the service's own refusal is what the command meets.
    const input = cli.file("refused.jsonl", [chatLine("a", "hi", "grok-nope"), chatLine("b", "hi", "grok-nope")]);
    const out = cli.path("refused-out.jsonl");
    const done = await cli.run(["run", input, "--out", out, "--models", "any", ...cli.at(emu)]);
    expect(done.code).toBe(4);
    expect(done.stderr).toContain("invalid_argument");
    const [, batchId] = /Cancelled batch (\S+): the service refused its first add, so it held no requests/.exec(done.stderr) ?? [];
    expect(batchId).toBeDefined();
    const client = new Client({ apiKey, baseUrl: emu.url });
    try {
      const batch = await client.batch.get(batchId!);
      expect(batch.status).toBe("cancelled");
      expect(batch.counts.total).toBe(0);
    } finally {
      client.close();
    }
    // The manifest no longer names the cancelled batch: a re-run with a fixed input creates a fresh one.
    const fixed = await cli.run(["run", cli.file("refused.jsonl", [chatLine("a", "hi")]), "--out", out, ...cli.at(emu)]);
    expect(fixed.stderr).not.toContain(batchId!);
  }, 30_000);
});
