import { serveCommand } from "../emulator/serve.js";
import { exitCodes } from "./exit-codes.js";

const commands: Record<string, (argv: string[]) => Promise<number>> = {
  serve: serveCommand,
};

const usage = `Usage: xai-batch <command> [options]

Commands:
  serve        run the local Batch API emulator

Run \`xai-batch <command> --help\` for a command's options.`;

/** Runs the CLI and returns its exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(`${usage}\n`);
    return name === undefined ? exitCodes.usage : exitCodes.ok;
  }
  const command = commands[name];
  if (command === undefined) {
    process.stderr.write(`xai-batch: unknown command "${name}".\n${usage}\n`);
    return exitCodes.usage;
  }
  return command(rest);
}
