import { describe, expect, it } from "vitest";
import { InputError } from "../../src/core/errors.js";
import { checkInteger, checkKnownKeys, checkNonEmptyString, describeValue } from "../../src/core/internal/validate.js";

describe("checkKnownKeys", () => {
  const known = ["limit", "paginationToken"];

  it("accepts known keys and an absent options object", () => {
    expect(() => checkKnownKeys("list options", { limit: 5 }, known)).not.toThrow();
    expect(() => checkKnownKeys("list options", undefined, known)).not.toThrow();
  });

  it("names the unknown key, where it was, and every key it could have meant", () => {
    expect(() => checkKnownKeys("list options", { limt: 5 }, known)).toThrow(
      new InputError("Unknown option `limt` in list options. Expected one of: `limit`, `paginationToken`."),
    );
  });

  it.each([
    [null, "null"],
    ["fast", '"fast"'],
    [3, "3"],
  ])("refuses a non-object %j", (value, shown) => {
    expect(() => checkKnownKeys("list options", value as unknown as object, known)).toThrow(
      new InputError(`Expected list options to be an object, got ${shown}.`),
    );
  });
});

describe("checkInteger", () => {
  it.each([undefined, 1, 500, 1_000])("accepts %j within 1 to 1000", (value) => {
    expect(() => checkInteger("limit", value, 1, 1_000)).not.toThrow();
  });

  it.each([
    [0, "0"],
    [1_001, "1001"],
    [2.5, "2.5"],
    [Number.NaN, "NaN"],
    ["10", '"10"'],
    [null, "null"],
  ])("refuses %j, naming the option and the range", (value, shown) => {
    expect(() => checkInteger("limit", value, 1, 1_000)).toThrow(
      new InputError(`Expected \`limit\` to be an integer from 1 to 1000, got ${shown}.`),
    );
  });
});

describe("checkNonEmptyString", () => {
  it("accepts a non-empty string", () => {
    expect(() => checkNonEmptyString("batchId", "batch_1")).not.toThrow();
  });

  it.each([
    ["", '""'],
    ["   ", '"   "'],
    [undefined, "undefined"],
    [42, "42"],
    [{ id: "x" }, "an object"],
    [["a"], "an array of 1"],
  ])("refuses %j, naming the option", (value, shown) => {
    expect(() => checkNonEmptyString("batchId", value)).toThrow(
      new InputError(`Expected \`batchId\` to be a non-empty string, got ${shown}.`),
    );
  });

  it("does not dump a long string into the message", () => {
    expect(describeValue("x".repeat(500))).toBe("a string of 500 characters");
  });
});
