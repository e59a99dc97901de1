import { describe, expect, it } from "vitest";
import { closest, editDistance } from "../../src/cli/suggest.js";

describe("closest", () => {
  const flags = ["--out", "--input", "--join", "--base-url", "--api-key", "--insecure", "--timeout"];
  it.each([
    ["--output", flags, "--out"],
    ["--ot", flags, "--out"],
    ["--insecrue", flags, "--insecure"],
    ["--basurl", flags, "--base-url"],
    ["--timeuot", flags, "--timeout"],
    ["--zzz", flags, undefined],
    ["--verbose", flags, undefined],
    ["stauts", ["run", "status", "wait"], "status"],
    ["retry", ["run", "retry-failed", "results"], "retry-failed"],
    ["x", ["run", "add"], undefined],
  ])("%s -> %s", (word, candidates, expected) => {
    expect(closest(word, candidates)).toBe(expected);
  });
});

describe("editDistance", () => {
  it.each([
    ["", "", 0],
    ["abc", "abc", 0],
    ["abc", "acb", 1],
    ["kitten", "sitting", 3],
    ["", "abc", 3],
  ])("%s / %s = %d", (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
    expect(editDistance(b, a)).toBe(d);
  });
});
