// A process that adds `count` chat requests (ids a0, a1, ...) to a batch and reports as it goes, so a test
// can SIGKILL it mid-add and run it again: `node --import tsx add-child.ts URL BATCH_ID COUNT`.
import { Client, user } from "../../src/index.js";

const [url, batchId, count] = process.argv.slice(2);
const client = new Client({ apiKey: "k", baseUrl: url!, limits: { addCallsPerWindow: 1_000, addWindowMs: 1_000 } });
async function* requests() {
  for (let i = 0; i < Number(count); i++) yield client.chat.create("grok-4", { batchRequestId: `a${i}` }).append(user(`question ${i}`));
}
const result = await client.batch.add(batchId!, requests(), {
  maxRequestsPerCall: 200,
  onProgress: (p) => process.stdout.write(`progress ${p.requestsAdded}\n`),
});
process.stdout.write(`result ${JSON.stringify(result)}\n`);
client.close();
