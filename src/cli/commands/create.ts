import { defineBatchCommand } from "../batch-command.js";

/** `xai-batch create NAME`: prints the new batch's id alone on stdout, for `ID=$(xai-batch create x)`. */
export const command = defineBatchCommand({
  name: "create",
  summary: "create an empty batch and print its id",
  argument: "NAME",
  description: "Creates a batch named NAME and prints its id. Add requests with `xai-batch add`.",
  call: (client, name, signal) => client.batch.create(name, { signal }),
  show: (batch) => batch.batchId,
});
