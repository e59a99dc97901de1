import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { printReport, type ScenarioReport } from "./table.js";

/** Whether the module at `moduleUrl` is the script node was started with (`npx tsx bench/<name>.ts`). */
export function isMain(moduleUrl: string): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(moduleUrl));
  } catch {
    return false;
  }
}

type NumericOptions = Record<string, number | readonly number[]>;

/**
 * Options from `--name value` arguments, each a number or, where the default is a list, a comma-separated
 * list: `npx tsx bench/bulk-add.ts --sizes 10000,100000 --rounds 1`.
 */
export function optionsFromArgs<T extends NumericOptions>(
  defaults: Readonly<T>,
  args: readonly string[] = process.argv.slice(2),
): Partial<T> {
  const options: Record<string, number | number[]> = {};
  for (let i = 0; i < args.length; i += 2) {
    const name = args[i]!.replace(/^--/, "");
    const value = args[i + 1];
    if (!(name in defaults) || value === undefined)
      throw new Error(`Expected --name value pairs with a name of ${Object.keys(defaults).join(", ")}; got ${args.slice(i).join(" ")}`);
    const numbers = value.split(",").map(Number);
    if (numbers.some((n) => !Number.isFinite(n)))
      throw new Error(`Expected --${name} to be a number or a comma-separated list of numbers, got ${value}`);
    options[name] = Array.isArray(defaults[name]) ? numbers : numbers[0]!;
  }
  return options as Partial<T>;
}

/** Runs a scenario as a script with options from its arguments: prints its tables, and exits non-zero if it threw. */
export async function runScenarioScript<T extends NumericOptions>(
  run: (options: Partial<T>) => Promise<ScenarioReport>,
  defaults: Readonly<T>,
): Promise<void> {
  try {
    printReport(await run(optionsFromArgs(defaults)));
  } catch (error) {
    console.error(error);
    process.exitCode = 1;
  }
}
