import { batchLine } from "../batch-format.js";
import { defineCommand } from "../command.js";
import { exitCodes } from "../exit-codes.js";
import { integerFlag } from "../global-options.js";

/** `xai-batch list`: the team's batches, newest pages first as the server orders them. */
export const command = defineCommand(
  {
    name: "list",
    summary: "list the team's batches",
    positionals: [],
    options: { limit: { type: "string" } },
    optionsHelp: "  --limit N   show at most N batches (default 50)",
    description: "Lists the team's batches, one a line: id, name, state, request counts and cost.",
  },
  async (ctx, values) => {
    const limit = values.limit === undefined ? 50 : integerFlag("limit", values.limit, 1);
    let shown = 0;
    for await (const batch of ctx.client().batch.list({ limit: Math.min(limit, 100), signal: ctx.signal })) {
      ctx.out.result(batch, batchLine(batch));
      if (++shown >= limit) break;
    }
    if (shown === 0 && !ctx.out.json) ctx.out.note("No batches.");
    return exitCodes.ok;
  },
);
