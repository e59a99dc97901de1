// Adds the lines of a JSONL file as they are, the way a service reading the CLI's files would: each line
// parsed and handed to `add`, which reads every shape (protobuf JSON, the compact chat form, OpenAI batch
// lines) through one normaliser, validates and encodes each once, and skips what it cannot send.
//   XAI_API_KEY=... npx tsx examples/add-jsonl.ts FILE.jsonl [--batch BATCH_ID] [--base-url URL]
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { exampleClient } from "./example-client.js";

const { client, values, positionals } = exampleClient("batch");
const [file] = positionals;
if (file === undefined) throw new Error("usage: add-jsonl.ts FILE.jsonl [--batch BATCH_ID]");

async function* rows(): AsyncGenerator<object> {
  for await (const line of createInterface({ input: createReadStream(file!), crlfDelay: Infinity })) {
    if (line.trim() !== "") yield JSON.parse(line) as object;
  }
}

try {
  const batchId = values.batch ?? (await client.batch.create(`lines of ${file}`)).batchId;
  const result = await client.batch.add(batchId, rows(), {
    invalid: "skip",
    // A structured InputError: the request's index and id, the field at fault, the reason and the fix.
    onInvalid: (error) =>
      console.log(`skipped request #${error.index} (${error.batchRequestId ?? "no id"}): ${error.field ?? ""} ${error.reason}`),
    totalTimeoutMs: 10 * 60_000,
  });
  console.log(`batch ${batchId}: ${result.requestsAdded} added, ${result.alreadyPresent} already there, ${result.invalid} invalid`);
} finally {
  client.close();
}
