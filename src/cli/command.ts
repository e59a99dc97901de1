import { Code } from "@connectrpc/connect";
import { parseArgs } from "node:util";
import { ApiError, type Client } from "../index.js";
import { exitCodeOf, exitCodes } from "./exit-codes.js";
import {
  createClient,
  createQuotaWatch,
  globalOptionSpecs,
  globalOptionsHelp,
  resolveGlobalOptions,
  type GlobalOptions,
} from "./global-options.js";
import { listenForInterrupt } from "./interrupt.js";
import { Output, type Streams } from "./output.js";
import type { QuotaWatch } from "./quota-watch.js";
import { closest } from "./suggest.js";
import { UsageError } from "./usage-error.js";

/** A command's own options, in node:util parseArgs form. */
type OptionSpecs = Record<string, { type: "string" | "boolean"; short?: string; multiple?: boolean }>;

/** The parsed values of `O`: strings for string options, booleans for flags. */
export type OptionValues<O extends OptionSpecs> = {
  [K in keyof O]?: O[K]["type"] extends "string" ? (O[K]["multiple"] extends true ? string[] : string) : boolean;
};

/** What a command is called with and says about itself. */
export interface CommandSpec<O extends OptionSpecs> {
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** Required positional arguments, e.g. ["BATCH_ID", "FILE.jsonl"]. */
  readonly positionals: readonly string[];
  readonly options: O;
  /** Help lines of `options`. */
  readonly optionsHelp?: string;
  /** What the command does, for `--help`. */
  readonly description: string;
}

/** What a command body works with. */
export interface CommandContext {
  readonly out: Output;
  readonly globals: GlobalOptions;
  /** Aborts on Ctrl-C or SIGTERM; pass it to every call so they stop promptly. */
  readonly signal: AbortSignal;
  /** The pacing the client uses, to show quota waits in progress. */
  readonly quota: QuotaWatch;
  /** The API client, built on first use (commands such as `check` never build one). */
  client(): Client;
  /** Sets what to tell the person if the command is interrupted from now on: how far it got, how to resume. */
  onInterrupt(describeValue: () => string): void;
}

/** A command of the `xai-batch` CLI. */
export interface Command {
  readonly name: string;
  readonly summary: string;
  /** Runs it with its arguments (after the command name) and resolves its exit code. */
  run(argv: string[], streams?: Streams): Promise<number>;
}

/**
 * Wraps a command body in what every command does the same way: parsing and checking arguments,
 * `--help`, the global options, the client's lifetime, Ctrl-C, and turning errors into a message on
 * stderr and an exit code (see exit-codes.ts).
 */
export function defineCommand<O extends OptionSpecs>(
  spec: CommandSpec<O>,
  body: (ctx: CommandContext, values: OptionValues<O>, positionals: string[]) => Promise<number>,
): Command {
  const run = async (argv: string[], streams: Streams = { stdout: process.stdout, stderr: process.stderr }): Promise<number> => {
    const fail = (message: string) => streams.stderr.write(`xai-batch ${spec.name}: ${message}\n`);
    let values: OptionValues<O> & Record<string, unknown>;
    let positionals: string[];
    let globals: GlobalOptions;
    try {
      const options = { ...globalOptionSpecs, ...spec.options };
      checkKnownOptions(argv, options);
      const parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
      values = parsed.values as OptionValues<O> & Record<string, unknown>;
      positionals = parsed.positionals;
      if (values.help === true) {
        streams.stdout.write(helpText(spec));
        return exitCodes.ok;
      }
      if (positionals.length !== spec.positionals.length) {
        const what =
          positionals.length < spec.positionals.length
            ? `missing ${spec.positionals.slice(positionals.length).join(" ")}`
            : `unexpected argument ${JSON.stringify(positionals[spec.positionals.length])}`;
        throw new UsageError(what);
      }
      globals = resolveGlobalOptions(values);
    } catch (error) {
      fail(`${(error as Error).message}\nUsage: ${usageLine(spec)}  (--help for the options)`);
      return exitCodes.usage;
    }

    const out = new Output(globals.json, streams, globals.quiet ? "off" : streams.stderr.isTTY ? "tty" : "plain");
    let quota: QuotaWatch;
    try {
      quota = await createQuotaWatch(globals);
    } catch (error) {
      fail((error as Error).message);
      return exitCodes.usage;
    }
    const interrupt = listenForInterrupt(() => fail("stopped at once (second signal)."));
    let client: Client | undefined;
    let interruptHint: (() => string) | undefined;
    const ctx: CommandContext = {
      out,
      globals,
      signal: interrupt.signal,
      quota,
      client: () => (client ??= createClient(globals, quota, out.logger)),
      onInterrupt: (describeValue) => {
        interruptHint = describeValue;
      },
    };
    try {
      return await body(ctx, values, positionals);
    } catch (error) {
      if (interrupt.signal.aborted) {
        out.error(spec.name, `interrupted.${interruptHint === undefined ? "" : ` ${interruptHint()}`}`, exitCodes.interrupted);
        return exitCodes.interrupted;
      }
      const code = exitCodeOf(error);
      out.error(spec.name, describeError(error), code);
      return code;
    } finally {
      client?.close();
      await quota.close();
      interrupt.dispose();
    }
  };
  return { name: spec.name, summary: spec.summary, run };
}

/**
 * Refuses an option the command does not have, naming the closest one it does (`--output`: did you mean
 * `--out`?), before node's parser words it as a question about positional arguments.
 */
function checkKnownOptions(argv: readonly string[], options: OptionSpecs): void {
  const longs = Object.keys(options);
  const shorts = new Set(Object.values(options).flatMap((o) => (o.short === undefined ? [] : [o.short])));
  for (const arg of argv) {
    if (arg === "--") return;
    if (arg.startsWith("--")) {
      const name = arg.slice(2).split("=")[0]!;
      if (!Object.hasOwn(options, name)) {
        const near = closest(name, longs);
        throw new UsageError(`unknown option --${name}${near === undefined ? "" : `; did you mean --${near}?`}`);
      }
    } else if (/^-[^-\d]/.test(arg) && ![...arg.slice(1)].every((c) => shorts.has(c))) {
      throw new UsageError(`unknown option ${arg}`);
    }
  }
}

/** The message for an error, with a hint where the usual cause is known. */
function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (!(error instanceof ApiError)) return error.message;
  const hint = apiHints[error.code];
  const message = error.requestId === undefined ? error.message : `${error.message} (request id ${error.requestId})`;
  return hint === undefined ? message : `${message}\n${hint}`;
}

const apiHints: Partial<Record<Code, string>> = {
  [Code.Unauthenticated]: "Check the API key (XAI_API_KEY or --api-key).",
  [Code.PermissionDenied]: "Check the API key (XAI_API_KEY or --api-key) and that its team may use the Batch API.",
  [Code.NotFound]: "Check the batch id (`xai-batch list` shows your batches).",
  [Code.Unavailable]: "The service could not be reached; check --base-url and the network, then run the same command again.",
  [Code.DeadlineExceeded]: "The call took too long; raise --timeout or run the same command again.",
};

function usageLine(spec: CommandSpec<OptionSpecs>): string {
  return `xai-batch ${spec.name}${spec.positionals.map((p) => ` ${p}`).join("")} [options]`;
}

function helpText(spec: CommandSpec<OptionSpecs>): string {
  const options = spec.optionsHelp === undefined ? "" : `Options:\n${spec.optionsHelp}\n\n`;
  return `Usage: ${usageLine(spec)}\n\n${spec.description}\n\n${options}${globalOptionsHelp}\n`;
}
