import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

/** The repository root, where `--import tsx` resolves. */
export const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

/** What every forked child reports about itself: its peak RSS and the CPU it used. */
export interface ProcessUsage {
  /** Peak resident set size of the process, in MiB. */
  readonly maxRssMiB: number;
  /** User plus system CPU time of the whole process, in ms. */
  readonly cpuMs: number;
}

/** This process's peak RSS and CPU time so far. */
export function processUsage(): ProcessUsage {
  const usage = process.resourceUsage();
  return { maxRssMiB: usage.maxRSS / 1024, cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000 };
}

/**
 * Starts a TypeScript entry point in a fresh node process with an IPC channel: its own heap, event loop
 * and core, so its peak RSS is its own and its CPU does not share a thread with the parent's.
 */
export function forkTs(entry: URL, args: readonly string[], maxOldSpaceMb?: number): ChildProcess {
  const execArgv = ["--import", "tsx", ...(maxOldSpaceMb === undefined ? [] : [`--max-old-space-size=${maxOldSpaceMb}`])];
  return fork(fileURLToPath(entry), [...args], { cwd: repoRoot, execArgv, stdio: ["ignore", "inherit", "inherit", "ipc"] });
}

/** The next IPC message of `child`; rejects if it exits first. */
export function nextMessage<T>(child: ChildProcess): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: unknown) => {
      child.off("exit", onExit);
      resolve(message as T);
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      child.off("message", onMessage);
      reject(new Error(`the child process exited (${code ?? signal}) before answering; its stderr is above`));
    };
    child.once("message", onMessage);
    child.once("exit", onExit);
  });
}
