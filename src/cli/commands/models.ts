import { knownBatchRefusedModels } from "../../index.js";
import { defineCommand } from "../command.js";
import { exitCodes } from "../exit-codes.js";
import { modelLine } from "../file-format.js";

/** `xai-batch models`: the models the team can use, live from xAI. */
export const command = defineCommand(
  {
    name: "models",
    summary: "list the models the team can use",
    positionals: [],
    options: {},
    description:
      "Lists the team's language, image and embedding models with their aliases, live from xai_api.Models.\n" +
      `The list does not say which models the Batch API serves; it is known to refuse ${knownBatchRefusedModels.join(", ")}.`,
  },
  async (ctx) => {
    const models = await ctx.client().models.list({ signal: ctx.signal });
    for (const model of models) ctx.out.result(model, modelLine(model));
    if (models.length === 0 && !ctx.out.json) ctx.out.note("No models.");
    return exitCodes.ok;
  },
);
