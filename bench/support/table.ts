import type { Spread } from "./stats.js";

/** A result table, printed as markdown so it can be pasted into BENCHMARKS.md as is. */
export interface Table {
  readonly title: string;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
  /** Lines printed under the table: conditions, caveats. */
  readonly notes?: readonly string[];
}

/** A target of the issue and how the run fared against it. */
export interface Check {
  readonly scenario: string;
  readonly target: string;
  readonly measured: string;
  readonly met: boolean;
}

/** What a scenario hands back: its tables and its verdicts on the targets. */
export interface ScenarioReport {
  readonly tables: readonly Table[];
  readonly checks: readonly Check[];
}

/** The markdown text of a table, its title as a heading and its notes as a list. */
export function formatTable(table: Table): string {
  const line = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
  return [
    `### ${table.title}`,
    "",
    line(table.columns),
    line(table.columns.map(() => "---")),
    ...table.rows.map(line),
    ...(table.notes === undefined || table.notes.length === 0 ? [] : ["", ...table.notes.map((n) => `- ${n}`)]),
    "",
  ].join("\n");
}

/** Prints every table of a report to stdout. */
export function printReport(report: ScenarioReport): void {
  for (const table of report.tables) process.stdout.write(`${formatTable(table)}\n`);
}

/** The table of targets, met or missed, of one or more reports. */
export function checksTable(checks: readonly Check[]): Table {
  return {
    title: "Targets",
    columns: ["scenario", "target", "measured", "verdict"],
    rows: checks.map((c) => [c.scenario, c.target, c.measured, c.met ? "met" : "**missed**"]),
  };
}

/** `12.3 (11.9–13.0)`: a median with its min and max, to `digits` decimals. */
export function formatSpread(s: Spread, digits = 1): string {
  return `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`;
}

/** `1.07×` */
export function formatRatio(ratio: number): string {
  return `${ratio.toFixed(2)}×`;
}

/** `1,234,567` */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

/** A progress line on stderr, so stdout holds only the tables. */
export function progress(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}
