import { defineCommand, type Command } from "../command.js";
import { exitCodes } from "../exit-codes.js";
import { fileLine } from "../file-format.js";
import { integerFlag } from "../global-options.js";
import type { Streams } from "../output.js";
import { UsageError } from "../usage-error.js";

const list = defineCommand(
  {
    name: "files list",
    summary: "list the team's stored files",
    positionals: [],
    options: { limit: { type: "string" }, sort: { type: "string" }, desc: { type: "boolean" } },
    optionsHelp: [
      "  --limit N                      show at most N files (default 100)",
      "  --sort createdAt|filename|size  order (default createdAt, oldest first)",
      "  --desc                          newest, last or largest first",
    ].join("\n"),
    description: "Lists the team's stored files, one a line: id, name, size, expiry.",
  },
  async (ctx, values) => {
    const limit = values.limit === undefined ? 100 : integerFlag("limit", values.limit, 1);
    const sortBy = values.sort ?? "createdAt";
    if (sortBy !== "createdAt" && sortBy !== "filename" && sortBy !== "size") {
      throw new UsageError(`--sort expects createdAt, filename or size, got ${JSON.stringify(sortBy)}.`);
    }
    let shown = 0;
    for await (const file of ctx
      .client()
      .files.list({ limit: Math.min(limit, 100), sortBy, order: values.desc ? "desc" : "asc", signal: ctx.signal })) {
      ctx.out.result(file, fileLine(file));
      if (++shown >= limit) break;
    }
    if (shown === 0 && !ctx.out.json) ctx.out.note("No files.");
    return exitCodes.ok;
  },
);

const get = defineCommand(
  {
    name: "files get",
    summary: "show a stored file",
    positionals: ["FILE_ID"],
    options: {},
    description: "Shows one stored file: id, name, size, expiry.",
  },
  async (ctx, _values, [fileId]) => {
    const file = await ctx.client().files.get(fileId!, { signal: ctx.signal });
    ctx.out.result(file, fileLine(file));
    return exitCodes.ok;
  },
);

const rm = defineCommand(
  { name: "files rm", summary: "delete a stored file", positionals: ["FILE_ID"], options: {}, description: "Deletes a stored file." },
  async (ctx, _values, [fileId]) => {
    const deleted = await ctx.client().files.delete(fileId!, { signal: ctx.signal });
    ctx.out.result(deleted, `deleted ${deleted.id}`);
    return exitCodes.ok;
  },
);

const download = defineCommand(
  {
    name: "files download",
    summary: "write a stored file's content to a local file",
    positionals: ["FILE_ID", "OUT"],
    options: {},
    description: "Writes a stored file's content to OUT (through OUT.partial, renamed when complete; a lost transfer restarts).",
  },
  async (ctx, _values, [fileId, out]) => {
    const { bytes } = await ctx.client().files.download(fileId!, out!, { signal: ctx.signal });
    ctx.out.result({ fileId, path: out, bytes }, `wrote ${bytes.toLocaleString("en-US")} bytes to ${out}`);
    return exitCodes.ok;
  },
);

const subcommands: Record<string, Command> = { list, get, rm, download };

const usage = `Usage: xai-batch files <list|get|rm|download> [arguments] [options]

  list                     the team's stored files
  get FILE_ID              one stored file
  rm FILE_ID               delete a stored file
  download FILE_ID OUT     write a stored file's content to OUT

Run \`xai-batch files <subcommand> --help\` for its options.
`;

/** `xai-batch files list|get|rm|download`: the team's stored files. */
export const command: Command = {
  name: "files",
  summary: "list, show, delete or download stored files (list|get|rm|download)",
  run: async (argv: string[], streams: Streams = { stdout: process.stdout, stderr: process.stderr }) => {
    const [name, ...rest] = argv;
    if (name === undefined || name === "--help" || name === "-h") {
      streams.stdout.write(usage);
      return name === undefined ? exitCodes.usage : exitCodes.ok;
    }
    const sub = subcommands[name];
    if (sub === undefined) {
      streams.stderr.write(`xai-batch files: unknown subcommand ${JSON.stringify(name)}.\n${usage}`);
      return exitCodes.usage;
    }
    return sub.run(rest, streams);
  },
};
