// A smoke run of every benchmark scenario with tiny sizes: each completes and reports sane numbers.
// Not a performance test: nothing here asserts a speed, only that the benchmarks still work.
import { describe, expect, it } from "vitest";
import { run as bulkAdd } from "../../bench/bulk-add.js";
import { run as encodingCost } from "../../bench/encoding-cost.js";
import { run as faultyAdd } from "../../bench/faulty-add.js";
import { run as fileVsAdd } from "../../bench/file-vs-add.js";
import { run as manyWorkers } from "../../bench/many-workers.js";
import { run as quotaBoundAdd } from "../../bench/quota-bound-add.js";
import { run as quotaEfficiency } from "../../bench/quota-efficiency.js";
import { run as resultsStreaming } from "../../bench/results-streaming.js";
import type { ScenarioReport } from "../../bench/support/table.js";
import { run as unaryOverhead } from "../../bench/unary-overhead.js";

/** Every table has rows with a value in every column, no NaN or Infinity, and no negative number. */
function expectSane(report: ScenarioReport, rows: number): void {
  expect(report.tables.length).toBeGreaterThan(0);
  expect(report.tables[0]!.rows).toHaveLength(rows);
  for (const table of report.tables) {
    for (const row of table.rows) {
      expect(row).toHaveLength(table.columns.length);
      for (const cell of row) {
        expect(cell).not.toBe("");
        expect(cell).not.toMatch(/NaN|Infinity|(^|[\s(])-\d/);
      }
    }
  }
  expect(report.checks.length).toBeGreaterThan(0);
  for (const check of report.checks) expect(check.measured).not.toMatch(/NaN|Infinity/);
}

describe("benchmark scenarios, tiny", () => {
  it("1. unary overhead", async () => {
    expectSane(await unaryOverhead({ callsPerRound: 20, rounds: 1, warmupCalls: 5 }), 6);
  }, 60_000);

  it("3. encoding cost", async () => {
    expectSane(await encodingCost({ requests: 200, rounds: 1 }), 10);
  }, 60_000);

  it("2. bulk add", async () => {
    const report = await bulkAdd({ sizes: [200], rounds: [1] });
    // The as-shipped row, then the four variants.
    expectSane(report, 5);
    expect(report.tables[0]!.rows[0]![2]).not.toMatch(/fails/); // 200 requests are one small call
  }, 60_000);

  it("4. results streaming", async () => {
    expectSane(await resultsStreaming({ results: 200, pageSizes: [100], rounds: 1 }), 2);
  }, 60_000);

  it("5. quota efficiency", async () => {
    const report = await quotaEfficiency({ calls: 30, callsPerWindow: 10, windowMs: 100, rounds: 1 });
    expectSane(report, 3);
    expect(report.checks.find((c) => c.target.includes("rejections"))!.measured).toBe("0");
  }, 60_000);

  it("6. faulty add", async () => {
    const report = await faultyAdd({ requests: 5_000, requestsPerCall: 250 });
    expectSane(report, 2);
    expect(report.checks.every((c) => c.met)).toBe(true);
  }, 60_000);

  it("7. many workers", async () => {
    const report = await manyWorkers({ workers: 2, requestsPerWorker: 200, maxRequestsPerCall: 100, callsPerWindow: 2, windowMs: 300 });
    expectSane(report, 2);
    expect(report.checks.find((c) => c.target.includes("rejections"))!.measured).toBe("0");
  }, 60_000);

  it("8. quota-bound bulk add", async () => {
    const report = await quotaBoundAdd({
      megabytes: 0.1,
      textBytes: 300,
      maxAddBytes: 20_000,
      callsPerWindow: 2,
      windowMs: 100,
      rounds: 1,
    });
    expectSane(report, 1);
    expect(report.checks.find((c) => c.target.includes("rejections"))!.measured).toBe("0");
  }, 60_000);

  it("9. file vs add", async () => {
    const report = await fileVsAdd({ requests: 2_000, callsPerWindow: 100, windowMs: 300 });
    expectSane(report, 2);
    expect(report.checks.find((c) => c.target.includes("0 add calls"))!.met).toBe(true);
  }, 60_000);
});
