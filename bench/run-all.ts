// `npm run bench`: every scenario in turn, each printing its tables, then the targets met or missed.
// The in-process CPU measurements (1, 3) go first, before the heavy scenarios have grown this process's heap.
import { run as bulkAdd } from "./bulk-add.js";
import { run as encodingCost } from "./encoding-cost.js";
import { run as faultyAdd } from "./faulty-add.js";
import { run as fileVsAdd } from "./file-vs-add.js";
import { run as manyWorkers } from "./many-workers.js";
import { machineTable } from "./support/machine.js";
import { checksTable, formatTable, printReport, progress, type Check, type ScenarioReport } from "./support/table.js";
import { run as quotaBoundAdd } from "./quota-bound-add.js";
import { run as quotaEfficiency } from "./quota-efficiency.js";
import { run as resultsStreaming } from "./results-streaming.js";
import { run as unaryOverhead } from "./unary-overhead.js";

const scenarios: [string, () => Promise<ScenarioReport>][] = [
  ["unary-overhead", () => unaryOverhead()],
  ["encoding-cost", () => encodingCost()],
  ["bulk-add", () => bulkAdd()],
  ["results-streaming", () => resultsStreaming()],
  ["quota-efficiency", () => quotaEfficiency()],
  ["faulty-add", () => faultyAdd()],
  ["many-workers", () => manyWorkers()],
  ["quota-bound-add", () => quotaBoundAdd()],
  ["file-vs-add", () => fileVsAdd()],
];

const started = performance.now();
process.stdout.write(`${formatTable(machineTable())}\n`);
const checks: Check[] = [];
for (const [name, run] of scenarios) {
  const scenarioStarted = performance.now();
  progress(`${name}: starting`);
  const report = await run();
  printReport(report);
  checks.push(...report.checks);
  progress(`${name}: ${((performance.now() - scenarioStarted) / 1000).toFixed(0)} s`);
}
process.stdout.write(`${formatTable(checksTable(checks))}\n`);
process.stdout.write(`Total: ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
