// The emulator's process for the benchmarks: `startEmulator(JSON options)`, then answers "stats" and "stop" over IPC.
import { startEmulator } from "../../src/emulator/index.js";
import type { BenchEmulatorOptions, EmulatorMessage } from "./emulator.js";
import { processUsage } from "./fork.js";

/**
 * How long a graceful stop may take before the process exits anyway: emulator.stop() sometimes never
 * resolves when a client still holds its connection (grpc-js calls tryShutdown's callback only once every
 * session reports closed, and after the forced shutdown one may not), and a benchmark must not hang on it.
 */
const stopTimeoutMs = 1_000;

const options = JSON.parse(process.argv[2] ?? "{}") as BenchEmulatorOptions;
const emulator = await startEmulator(options);
const send = (message: EmulatorMessage) => process.send!(message);
send({ type: "ready", url: emulator.url });
process.on("message", (message) => {
  if (message === "stats") send({ type: "stats", stats: { counters: emulator.counters(), usage: processUsage() } });
  if (message === "stop") {
    setTimeout(() => process.exit(0), stopTimeoutMs);
    void emulator.stop().finally(() => process.exit(0));
  }
});
// A parent that died (or was interrupted) must not leave a server behind.
process.on("disconnect", () => process.exit(0));
