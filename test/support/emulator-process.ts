import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";

const main = fileURLToPath(new URL("../../src/emulator/main.ts", import.meta.url));
const tsx = fileURLToPath(new URL("../../node_modules/.bin/tsx", import.meta.url));

/** An emulator in a child process: its own event loop and core, as a real server would have. */
export interface EmulatorProcess {
  readonly url: string;
  stop(): Promise<void>;
}

/** Starts `xai-batch serve --port 0 ...args` and resolves once it prints the address it listens on. */
export async function startEmulatorProcess(args: string[]): Promise<EmulatorProcess> {
  const child: ChildProcess = spawn(tsx, [main, "--port", "0", ...args], { stdio: ["ignore", "pipe", "inherit"] });
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
  return {
    url,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill("SIGTERM");
      await once(child, "exit");
    },
  };
}
