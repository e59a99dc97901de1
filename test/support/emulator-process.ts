import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";

const main = fileURLToPath(new URL("../../src/emulator/main.ts", import.meta.url));
// Node itself with tsx's loader, not the tsx wrapper: a SIGKILL must reach the process that serves.
const tsxLoader = new URL("../../node_modules/tsx/dist/loader.mjs", import.meta.url).href;

/** An emulator in a child process: its own event loop and core, as a real server would have. */
export interface EmulatorProcess {
  readonly url: string;
  /**
   * SIGKILLs the emulator (no goodbye to its clients), keeps it down until `downUntil` settles (e.g. a
   * client has seen the outage), and starts it again on the same port.
   */
  crashAndRestart(downUntil: Promise<unknown>): Promise<void>;
  stop(): Promise<void>;
}

/** Starts `xai-batch serve --port 0 ...args` and resolves once it prints the address it listens on. */
export async function startEmulatorProcess(args: string[]): Promise<EmulatorProcess> {
  let { child, url } = await spawnEmulator(["--port", "0", ...args]);
  const port = new URL(url).port;
  return {
    url,
    async crashAndRestart(downUntil) {
      await kill(child, "SIGKILL");
      await downUntil;
      ({ child } = await spawnEmulator(["--port", port, ...args]));
    },
    stop: () => kill(child, "SIGTERM"),
  };
}

async function spawnEmulator(args: string[]): Promise<{ child: ChildProcess; url: string }> {
  const child: ChildProcess = spawn(process.execPath, ["--import", tsxLoader, main, ...args], { stdio: ["ignore", "pipe", "inherit"] });
  let output = "";
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`emulator did not start: ${output}`)), 15_000);
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once("exit", (code) => reject(new Error(`emulator exited with ${code}: ${output}`)));
  });
  return { child, url };
}

async function kill(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill(signal);
  await exited;
}
