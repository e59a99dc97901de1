import { describe, expect, it } from "vitest";
import { apiKey, useCli } from "./helpers.js";

// The client's log under the command: on stderr, in the output's format, never mixed into the result.
const cli = useCli();

describe("XAI_BATCH_LOG", () => {
  it("puts the client's retries on stderr, keeps stdout for the result, and never shows the key", async () => {
    const emu = await cli.emulator({ faults: { unavailableRate: 0.6, seed: 6 } }); // this seed fails the first two attempts
    const done = await cli.run(["list", "--json", ...cli.at(emu)], { XAI_BATCH_LOG: "info" });
    expect(done.code, done.stderr).toBe(0);
    const stderr = done.stderr
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const retries = stderr.filter((l) => l.type === "log" && l.level === "info" && l.method === "ListBatches");
    expect(retries.length).toBe(emu.counters().rejections.faultUnavailable);
    expect(emu.counters().rejections.faultUnavailable).toBeGreaterThan(0);
    expect(done.stdout).not.toContain('"type":"log"');
    expect(done.stdout + done.stderr).not.toContain(apiKey);
  }, 30_000);
});
