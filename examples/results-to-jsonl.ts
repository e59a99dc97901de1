// Writes a batch's results to a JSONL file, one BatchResult in protobuf JSON per line, a page at a time:
// memory holds one page, and each write waits for the file to keep up.
//   XAI_API_KEY=... npx tsx examples/results-to-jsonl.ts BATCH_ID OUT.jsonl [--base-url URL]
// (`xai-batch results BATCH_ID --out OUT.jsonl` does the same and resumes after a crash.)
import { toJson } from "@bufbuild/protobuf";
import { createWriteStream } from "node:fs";
import { once } from "node:events";
import { BatchResultSchema } from "../src/index.js";
import { exampleClient } from "./example-client.js";

const { client, positionals } = exampleClient();
const [batchId, out] = positionals;
if (batchId === undefined || out === undefined) throw new Error("usage: results-to-jsonl.ts BATCH_ID OUT.jsonl");
const file = createWriteStream(out);
try {
  let written = 0;
  for await (const page of client.batch.listBatchResults(batchId, { limit: 1000 }).pages()) {
    const text = page.results.map((r) => `${JSON.stringify(toJson(BatchResultSchema, r.raw))}\n`).join("");
    if (!file.write(text)) await once(file, "drain");
    written += page.results.length;
  }
  file.end();
  await once(file, "finish");
  console.log(`wrote ${written} results to ${out}`);
} finally {
  client.close();
}
