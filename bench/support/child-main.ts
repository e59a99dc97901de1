// A fresh process for one client variant: imports the scenario module, runs one of its `tasks`, reports
// the result with this process's peak RSS and CPU over IPC, and exits.
import type { ChildMessage, ChildTask } from "./child.js";
import { processUsage } from "./fork.js";

const [moduleUrl, task, params] = process.argv.slice(2);
let message: ChildMessage;
try {
  const tasks = ((await import(moduleUrl!)) as { tasks: Record<string, ChildTask> }).tasks;
  const run = tasks[task!];
  if (run === undefined) throw new Error(`${moduleUrl} has no task ${task}`);
  const result = await run(JSON.parse(params!) as never);
  message = { ok: true, result, usage: processUsage() };
} catch (error) {
  message = { ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
}
process.send!(message, () => process.exit(message.ok ? 0 : 1));
