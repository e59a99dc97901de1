import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, watch, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, afterEach } from "vitest";
import { startEmulator, type Emulator, type EmulatorOptions } from "../../src/emulator/index.js";
import { Client } from "../../src/index.js";

/** The project root: the CLI runs from here, as a user of a checkout runs it. */
export const root = join(import.meta.dirname, "../..");

/** Node's arguments that run the command from its TypeScript sources. */
const cliEntry = ["--import", "tsx", "src/cli/bin.ts"];

/** The API key the tests use; long enough that the library would scrub it from any message. */
export const apiKey = "xai-cli-test-key-0123456789";

/** What a finished command left behind. */
export interface Finished {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A command still running, with what it has written so far. */
export interface Running {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves once stdout or stderr holds `text` (or matches it). */
  says(text: string | RegExp): Promise<void>;
  readonly finished: Promise<Finished>;
}

/**
 * Runs CLI processes and emulators for one test file: a temp directory, processes killed (with their
 * whole group) and emulators stopped after each test, so nothing outlives a failed one.
 */
export function useCli() {
  const dir = mkdtempSync(join(tmpdir(), "xai-batch-cli-"));
  const children: ChildProcess[] = [];
  const emulators: Emulator[] = [];
  afterEach(async () => {
    for (const child of children.splice(0)) {
      if (child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(-child.pid!, "SIGKILL");
        } catch {
          // Already gone.
        }
      }
    }
    await Promise.all(emulators.splice(0).map((e) => e.stop()));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const track = (child: ChildProcess): Running => {
    children.push(child);
    let stdout = "";
    let stderr = "";
    const waiting = new Set<() => void>();
    const heard = () => {
      for (const check of [...waiting]) check();
    };
    child.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk;
      heard();
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk;
      heard();
    });
    const finished = new Promise<Finished>((resolve) => child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr })));
    const holds = (output: string, text: string | RegExp) => (typeof text === "string" ? output.includes(text) : text.test(output));
    const says = (text: string | RegExp) =>
      new Promise<void>((resolve) => {
        const check = () => {
          if (!holds(stdout, text) && !holds(stderr, text)) return;
          waiting.delete(check);
          resolve();
        };
        waiting.add(check);
        check();
      });
    return { child, stdout: () => stdout, stderr: () => stderr, says, finished };
  };

  /** A clean environment: the test key, and nothing of the caller's xAI settings. */
  const env = (extra: Record<string, string | undefined> = {}) => {
    const base: Record<string, string | undefined> = {
      ...process.env,
      XAI_API_KEY: apiKey,
      XAI_BASE_URL: undefined,
      XAI_BATCH_STATE_DIR: join(dir, "state"),
      ...extra,
    };
    return Object.fromEntries(Object.entries(base).filter(([, v]) => v !== undefined)) as NodeJS.ProcessEnv;
  };

  return {
    dir,
    /** A path in the temp directory. */
    path: (name: string) => join(dir, name),
    /** Writes a JSONL file of `lines` in the temp directory and returns its path. */
    file(name: string, lines: string[]): string {
      const path = join(dir, name);
      writeFileSync(path, lines.length === 0 ? "" : `${lines.join("\n")}\n`);
      return path;
    },
    /** Starts an emulator on 127.0.0.1, port 0, that allows any key and creates batches without delay. */
    async emulator(options: Partial<EmulatorOptions> = {}): Promise<Emulator> {
      const emu = await startEmulator({ ...options, limits: { createIntervalMs: 0, ...options.limits } });
      emulators.push(emu);
      return emu;
    },
    /** The flags that point the CLI at an emulator: plaintext to loopback needs no other flag. */
    at: (emu: Emulator) => ["--base-url", emu.url],
    /**
     * Starts `xai-batch ARGS` from the sources (`node --import tsx src/cli/bin.ts`), stdout and stderr piped
     * (not a TTY). The compiled command, as npm installs it, is the package test's.
     */
    start(args: string[], extraEnv?: Record<string, string | undefined>): Running {
      return track(spawn(process.execPath, [...cliEntry, ...args], { cwd: root, env: env(extraEnv), detached: true }));
    },
    /** Runs `xai-batch ARGS` to the end. */
    run(args: string[], extraEnv?: Record<string, string | undefined>): Promise<Finished> {
      return this.start(args, extraEnv).finished;
    },
    /** Runs `xai-batch ARGS` under a pseudo-terminal (util-linux `script`); its output arrives as stdout. */
    runInTerminal(args: string[]): Promise<Finished> {
      const command = ["node", ...cliEntry, ...args].map(shellQuote).join(" ");
      return track(spawn("script", ["-qfec", command, "/dev/null"], { cwd: root, env: env(), detached: true })).finished;
    },
    /** Runs an example (`tsx examples/NAME.ts ARGS`) against `emu`. */
    runExample(name: string, args: string[], emu: Emulator): Promise<Finished> {
      return track(
        spawn(join(root, "node_modules/.bin/tsx"), [`examples/${name}.ts`, ...args], {
          cwd: root,
          env: env({ XAI_BASE_URL: emu.url }),
          detached: true,
        }),
      ).finished;
    },
  };
}

/**
 * Sets a batch up with the library, in this process: spawning the CLI for the steps a test is not about
 * would cost a second each. Returns the batch id.
 */
export async function batchOf(emu: Emulator, lines: string[], then: "wait" | "cancel" | "nothing" = "wait"): Promise<string> {
  const client = new Client({ baseUrl: emu.url, apiKey });
  try {
    const { batchId } = await client.batch.create("set up");
    await client.batch.add(
      batchId,
      lines.map((line) => JSON.parse(line)),
    );
    if (then === "wait") await client.batch.wait(batchId, { pollIntervalMs: 20 });
    if (then === "cancel") await client.batch.cancel(batchId);
    return batchId;
  } finally {
    client.close();
  }
}

/** One line of a compact chat request. */
export function chatLine(id: string | undefined, text: string, model = "grok-4"): string {
  return JSON.stringify({ ...(id === undefined ? {} : { id }), model, messages: [{ role: "user", content: text }] });
}

/** `count` compact chat lines with ids `${prefix}0`, `${prefix}1`, ... */
export function chatLines(count: number, prefix = "r", every?: { fail: number }): string[] {
  return Array.from({ length: count }, (_, i) =>
    chatLine(`${prefix}${i}`, `question ${i}${every !== undefined && i % every.fail === 0 ? " [fail]" : ""}`),
  );
}

/** The batchRequestIds of a JSONL text of results. */
export function idsOf(jsonl: string): string[] {
  return jsonLines(jsonl).map((r) => r.batchRequestId as string);
}

/** The JSON objects of a JSONL text. */
export function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/**
 * Resolves once the file at `path` exists and `check` accepts its text, read again at each change in its
 * directory (the commands write their state files by renaming a complete copy into place).
 */
export function fileSays(path: string, check: (text: string) => boolean = () => true): Promise<void> {
  return new Promise((resolve, reject) => {
    const watcher = watch(dirname(path), () => test());
    watcher.on("error", reject);
    const test = () => {
      let text: string;
      try {
        text = readFileSync(path, "utf8");
      } catch {
        return;
      }
      try {
        if (!check(text)) return;
        resolve();
      } catch (error) {
        reject(error);
      }
      watcher.close();
    };
    test();
  });
}

function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`;
}
