import type { Command } from "./command.js";
import { exitCodes } from "./exit-codes.js";
import type { Streams } from "./output.js";
import { closest } from "./suggest.js";

/**
 * The commands, each loaded only when it runs: the library and the emulator take a moment to load, and
 * `xai-batch status` should not pay for `serve`.
 */
const commands: Record<string, () => Promise<Command>> = {
  run: async () => (await import("./commands/run.js")).command,
  check: async () => (await import("./commands/check.js")).command,
  create: async () => (await import("./commands/create.js")).command,
  add: async () => (await import("./commands/add.js")).command,
  status: async () => (await import("./commands/status.js")).command,
  wait: async () => (await import("./commands/wait.js")).command,
  results: async () => (await import("./commands/results.js")).command,
  "retry-failed": async () => (await import("./commands/retry-failed.js")).command,
  cancel: async () => (await import("./commands/cancel.js")).command,
  list: async () => (await import("./commands/list.js")).command,
  upload: async () => (await import("./commands/upload.js")).command,
  files: async () => (await import("./commands/files.js")).command,
  models: async () => (await import("./commands/models.js")).command,
  serve: async () => ({ name: "serve", summary: "run the local Batch API emulator", run: (await import("./serve-loader.js")).runServe }),
};

async function usage(): Promise<string> {
  const loaded = await Promise.all(Object.values(commands).map((load) => load()));
  const width = Math.max(...loaded.map((c) => c.name.length));
  return `Usage: xai-batch <command> [options]

Commands:
${loaded.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join("\n")}

Run \`xai-batch <command> --help\` for a command's options.
Exit codes: 0 success, 1 transient failure (run it again), 2 bad command line or input, 3 partial (some requests failed),
4 refused by the service (fix the input, id or key first), 130 interrupted.`;
}

/** Runs the CLI and returns its exit code. */
export async function main(argv: string[], streams?: Streams): Promise<number> {
  const out = streams ?? { stdout: process.stdout, stderr: process.stderr };
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    out.stdout.write(`${await usage()}\n`);
    return name === undefined ? exitCodes.usage : exitCodes.ok;
  }
  const load = commands[name];
  if (load === undefined) {
    const near = closest(name, Object.keys(commands));
    out.stderr.write(`xai-batch: unknown command "${name}"${near === undefined ? "" : `; did you mean "${near}"?`}\n${await usage()}\n`);
    return exitCodes.usage;
  }
  if (streams === undefined) {
    // `xai-batch results ID | head`: the reader left. Stop quietly, as command-line tools do.
    process.stdout.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EPIPE") process.exit(exitCodes.ok);
      throw error;
    });
  }
  const command = await load();
  return command.run(rest, streams);
}
