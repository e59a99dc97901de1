import { batchDetails } from "../batch-format.js";
import { defineBatchCommand } from "../batch-command.js";

/** `xai-batch status BATCH_ID`: the batch's counts, cost and times. */
export const command = defineBatchCommand({
  name: "status",
  summary: "show a batch's request counts, cost and times",
  argument: "BATCH_ID",
  description: "Shows a batch: how many requests succeeded, failed, were cancelled or are pending, and its cost so far.",
  call: (client, batchId, signal) => client.batch.get(batchId, { signal }),
  show: batchDetails,
});
