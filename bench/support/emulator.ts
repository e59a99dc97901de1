import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import type { EmulatorCounters, EmulatorOptions } from "../../src/emulator/index.js";
import { forkTs, nextMessage, type ProcessUsage } from "./fork.js";

/** An emulator in a child process, as a real server would be, that can report its counters and usage. */
export interface BenchEmulator {
  readonly url: string;
  /** What the emulator counted (calls, rejections by kind), and the server process's peak RSS and CPU. */
  stats(): Promise<EmulatorStats>;
  stop(): Promise<void>;
}

/** A snapshot of the server side. */
export interface EmulatorStats {
  readonly counters: EmulatorCounters;
  readonly usage: ProcessUsage;
}

/** Messages between the parent and bench/support/emulator-main.ts. */
export type EmulatorMessage = { type: "ready"; url: string } | { type: "stats"; stats: EmulatorStats };

/** Emulator options that survive JSON (no callbacks). */
export type BenchEmulatorOptions = Omit<Partial<EmulatorOptions>, "onUnexpectedError">;

/** Heap the server may use: 1M requests and their results, kept as bytes, need about 1 GiB; room to spare for larger runs. */
const serverHeapMb = 12_288;

/** Starts the emulator in a fresh process with `options` and resolves once it listens. */
export async function startBenchEmulator(options: BenchEmulatorOptions): Promise<BenchEmulator> {
  const child: ChildProcess = forkTs(new URL("./emulator-main.ts", import.meta.url), [JSON.stringify(options)], serverHeapMb);
  const ready = await nextMessage<EmulatorMessage>(child);
  if (ready.type !== "ready") throw new Error(`unexpected first message from the emulator: ${JSON.stringify(ready)}`);
  return {
    url: ready.url,
    stats: async () => {
      const answer = nextMessage<EmulatorMessage>(child);
      child.send("stats");
      const message = await answer;
      if (message.type !== "stats") throw new Error(`unexpected answer from the emulator: ${JSON.stringify(message)}`);
      return message.stats;
    },
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, "exit");
      child.send("stop");
      await exited;
    },
  };
}
