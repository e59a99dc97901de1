// Scenario 9: N requests into a batch two ways under xAI's limits with the add window scaled down: by
// AddBatchRequests calls (`via: "add"`) and as one uploaded file (`via: "file"`). Wall time from the
// first byte to a batch holding every request, and the team's add calls each way spent.
import { setTimeout as sleep } from "node:timers/promises";
import { Client, user } from "../src/index.js";
import { startBenchEmulator } from "./support/emulator.js";
import { isMain, runScenarioScript } from "./support/main.js";
import { benchModel, promptText, requestId } from "./support/requests.js";
import { formatCount, formatRatio, progress, type ScenarioReport } from "./support/table.js";

/** How much to measure. */
export interface FileVsAddOptions {
  requests: number;
  /** Bytes of each request's prompt. */
  promptBytes: number;
  /** The scaled-down add quota: calls per window, as xAI's 100 per 30 s. */
  callsPerWindow: number;
  windowMs: number;
}

export const defaultFileVsAddOptions: Readonly<FileVsAddOptions> = Object.freeze({
  requests: 1_000_000,
  promptBytes: 60,
  callsPerWindow: 2,
  windowMs: 1_000,
});

interface Measured {
  readonly wallMs: number;
  readonly addCalls: number;
}

export async function run(options: Partial<FileVsAddOptions> = {}): Promise<ScenarioReport> {
  const o = { ...defaultFileVsAddOptions, ...options };
  const limits = { addCallsPerWindow: o.callsPerWindow, addWindowMs: o.windowMs };
  const server = await startBenchEmulator({
    limits: { ...limits, createIntervalMs: 0 },
    processing: { requestsPerSecond: 0 },
    fileLoadDelayMs: 0,
  });
  const client = new Client({ apiKey: "bench-key", baseUrl: server.url, limits, batchModels: "any" });
  const requests = function* (prefix: string) {
    for (let i = 0; i < o.requests; i++)
      yield client.chat.create(benchModel, { batchRequestId: `${prefix}-${requestId(i)}` }).append(user(promptText(i, o.promptBytes)));
  };
  const measure = async (via: "add" | "file"): Promise<Measured> => {
    // Start from an empty add window, as a team that has not added for a while.
    await sleep(o.windowMs + 50);
    const callsBefore = (await server.stats()).counters.calls.AddBatchRequests ?? 0;
    const started = performance.now();
    const { batch } = await client.batch.submit(`${via} bench`, requests(via), { via });
    // A file batch holds its requests once xAI has loaded the file; the add's once add returns.
    while ((await client.batch.get(batch.batchId)).counts.total < o.requests) await sleep(20);
    const wallMs = performance.now() - started;
    const addCalls = ((await server.stats()).counters.calls.AddBatchRequests ?? 0) - callsBefore;
    progress(`file-vs-add: via ${via}: ${wallMs.toFixed(0)} ms, ${addCalls} add calls`);
    return { wallMs, addCalls };
  };
  try {
    const add = await measure("add");
    const file = await measure("file");
    const ratio = file.wallMs / add.wallMs;
    return {
      tables: [
        {
          title: `9. ${formatCount(o.requests)} requests into a batch: via add calls vs via one uploaded file`,
          columns: ["way", "wall (first byte to every request in the batch)", "AddBatchRequests calls", "vs via add"],
          rows: [
            ['`submit(…, { via: "add" })`', `${add.wallMs.toFixed(0)} ms`, formatCount(add.addCalls), "1.00×"],
            ['`submit(…, { via: "file" })`', `${file.wallMs.toFixed(0)} ms`, formatCount(file.addCalls), formatRatio(ratio)],
          ],
          notes: [
            `One emulator process enforcing ${o.callsPerWindow} AddBatchRequests calls per rolling ${o.windowMs} ms (xAI's 100 per 30 s, scaled) and 25 MB per call; prompts of ${o.promptBytes} bytes; one run each, add first.`,
            "The file path writes the requests as xAI's batch lines to a temporary file, uploads it in 3 MiB pieces and creates the batch from it; the emulator then loads it. Neither spends the other's quota: the file spends no add call at all.",
          ],
        },
      ],
      checks: [
        { scenario: "9. file vs add", target: "via file: 0 add calls", measured: formatCount(file.addCalls), met: file.addCalls === 0 },
        {
          scenario: "9. file vs add",
          target: "via file faster than via add when the add quota binds",
          measured: formatRatio(ratio),
          met: add.addCalls <= o.callsPerWindow || ratio < 1,
        },
      ],
    };
  } finally {
    client.close();
    await server.stop();
  }
}

if (isMain(import.meta.url)) await runScenarioScript(run, defaultFileVsAddOptions);
