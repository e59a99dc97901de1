import { forkTs, nextMessage, type ProcessUsage } from "./fork.js";

/** A task a scenario module runs in a fresh process: JSON-able params in, a JSON-able result out. */
export type ChildTask = (params: never) => Promise<object>;

/** Messages from bench/support/child-main.ts. */
export type ChildMessage = { ok: true; result: object; usage: ProcessUsage } | { ok: false; error: string };

/**
 * Runs `tasks[task](params)` of the module at `moduleUrl` (which exports `tasks`) in a fresh process and
 * returns its result with the process's peak RSS and CPU time: a client variant measured alone, so its
 * peak RSS is its own.
 */
export async function runInChild<R extends object>(moduleUrl: string, task: string, params: object): Promise<R & { usage: ProcessUsage }> {
  const child = forkTs(new URL("./child-main.ts", import.meta.url), [moduleUrl, task, JSON.stringify(params)]);
  const message = await nextMessage<ChildMessage>(child).catch((error: Error) => ({ ok: false as const, error: error.message }));
  if (!message.ok) throw new Error(`${task} failed in its child process: ${message.error}`);
  return { ...(message.result as R), usage: message.usage };
}
