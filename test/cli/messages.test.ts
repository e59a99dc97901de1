import { expect, it } from "vitest";
import { useCli } from "./helpers.js";

const cli = useCli();

it("names the closest known option for an unknown one, and exits 2 before doing anything", async () => {
  const result = await cli.run(["results", "batch_x", "--output", "r.jsonl"]);
  expect(result.code).toBe(2);
  expect(result.stderr).toContain("xai-batch results: unknown option --output; did you mean --out?");
  expect(result.stderr).not.toContain("positional");
});

it("names the closest command for an unknown one", async () => {
  const result = await cli.run(["stauts", "batch_x"]);
  expect(result.code).toBe(2);
  expect(result.stderr).toContain('unknown command "stauts"; did you mean "status"?');
});

it("check --help names each option once, and counts in the singular when there is one", async () => {
  const help = await cli.run(["check", "--help"]);
  expect(help.stdout.match(/--models/g)).toHaveLength(1);
  const one = await cli.run(["check", cli.file("one.jsonl", ['{"id":"a","model":"grok-4","messages":[{"role":"user","content":"hi"}]}'])]);
  expect(one.code).toBe(0);
  expect(one.stdout).toContain("1 line, 1 valid request, 0 bad lines");
});
