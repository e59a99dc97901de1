import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { chatLines, useCli } from "./helpers.js";

// Progress as a person sees it: redrawn in place on a terminal, a few plain lines in a log.
const cli = useCli();
const haveScript = (() => {
  try {
    execFileSync("script", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

function input(count: number): string {
  return cli.file(`tty-${count}.jsonl`, chatLines(count));
}

describe("progress", () => {
  it.skipIf(!haveScript)(
    "on a terminal, is redrawn in place, and tells added from processed",
    async () => {
      const emu = await cli.emulator({ processing: { requestsPerSecond: 200 } });
      const out = cli.path("tty-out.jsonl");
      const done = await cli.runInTerminal([
        "run",
        input(200),
        "--out",
        out,
        "--requests-per-call",
        "20",
        "--poll-interval-ms",
        "100",
        ...cli.at(emu),
      ]);
      expect(done.code).toBe(0);
      const screen = done.stdout;
      expect(screen).toMatch(/\radding \[[#-]+\]\s+\d+% · [\d,]+ added of ~?[\d,]+ · \d+ calls?.*\x1b\[K/);
      expect(screen).toMatch(/adding \[#{20}\] 100% · 200 added of 200 · 10 calls/);
      // Every request added, many still pending: the processing line says so.
      expect(screen).toMatch(/\rprocessing \[[#-]+\]\s+\d+% · [\d,]+ of 200 done: [\d,]+ succeeded, 0 failed · [1-9][\d,]* pending/);
      expect(screen).toMatch(/processing \[#{20}\] 100% · 200 of 200 done: 200 succeeded, 0 failed · 0 pending/);
      expect(screen).toMatch(/downloading \[#{20}\] 100% · 200 of 200 results/);
      expect(screen).toMatch(/succeeded {2}200/);
    },
    30_000,
  );

  it("elsewhere, is plain lines: none redrawn, at most one every few seconds, and the last one", async () => {
    const emu = await cli.emulator({ processing: { requestsPerSecond: 200 } });
    const out = cli.path("plain-out.jsonl");
    const done = await cli.run(["run", input(200), "--out", out, "--requests-per-call", "20", "--poll-interval-ms", "100", ...cli.at(emu)]);
    expect(done.code).toBe(0);
    expect(done.stderr).not.toMatch(/\r|\x1b/);
    const lines = done.stderr.trim().split("\n");
    // Each stage took less than the five seconds between plain lines, so each shows only its final line.
    expect(lines.filter((l) => l.startsWith("adding"))).toEqual(["adding [####################] 100% · 200 added of 200 · 10 calls"]);
    expect(lines.filter((l) => l.startsWith("processing"))).toEqual([
      "processing [####################] 100% · 200 of 200 done: 200 succeeded, 0 failed · 0 pending",
    ]);
    expect(lines.filter((l) => l.startsWith("downloading"))).toEqual(["downloading [####################] 100% · 200 of 200 results"]);
    expect(done.stdout).not.toMatch(/adding|processing|downloading/); // progress never goes to stdout
  }, 30_000);
});
