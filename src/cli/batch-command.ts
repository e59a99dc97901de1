import type { BatchView, Client } from "../index.js";
import { defineCommand, type Command } from "./command.js";
import { exitCodes } from "./exit-codes.js";

/** A command that makes one call about one batch and prints the batch it gets back. */
export interface BatchCommandSpec {
  readonly name: string;
  readonly summary: string;
  readonly description: string;
  /** The one positional argument, e.g. BATCH_ID or NAME. */
  readonly argument: string;
  /** String options of the command, by flag name, with their help lines. @default none */
  readonly options?: { readonly names: readonly string[]; readonly help: string };
  readonly call: (
    client: Client,
    argument: string,
    signal: AbortSignal,
    options: Readonly<Record<string, string | undefined>>,
  ) => Promise<BatchView>;
  /** The batch for people; with `--json` it is printed as the library's BatchView. */
  readonly show: (batch: BatchView) => string;
}

/** `create`, `status` and `cancel`: the same shape, one call each. */
export function defineBatchCommand(spec: BatchCommandSpec): Command {
  return defineCommand(
    {
      name: spec.name,
      summary: spec.summary,
      positionals: [spec.argument],
      options: Object.fromEntries((spec.options?.names ?? []).map((n) => [n, { type: "string" as const }])),
      ...(spec.options === undefined ? {} : { optionsHelp: spec.options.help }),
      description: spec.description,
    },
    async (ctx, values, [argument]) => {
      const batch = await spec.call(ctx.client(), argument!, ctx.signal, values as Record<string, string | undefined>);
      ctx.out.result(batch, spec.show(batch));
      return exitCodes.ok;
    },
  );
}
