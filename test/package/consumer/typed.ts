// A TypeScript consumer, type-checked with the strictest options users turn on: the package's
// declarations must compile there, skipLibCheck off.
import {
  ApiError,
  Client,
  Code,
  InputError,
  prepareRequests,
  user,
  type AddInput,
  type AddResult,
  type BatchStatus,
  type BatchView,
  type ClientOptions,
  type ResultView,
} from "xai-batch";
import { startEmulator, type Emulator, type EmulatorOptions } from "xai-batch/emulator";
import { BatchMgmt } from "xai-batch/gen/xai/api/v1/batch_pb";

const options: ClientOptions = { baseUrl: "http://127.0.0.1:50051", apiKey: "key", timeoutMs: 5_000 };
const emulatorOptions: Partial<EmulatorOptions> = { port: 0 };

export async function run(): Promise<string[]> {
  const emu: Emulator = await startEmulator(emulatorOptions);
  const client = new Client({ ...options, baseUrl: emu.url });
  try {
    const { batchId } = await client.batch.create("typed");
    const chat = client.chat.create("grok-4", { batchRequestId: "a", maxTokens: 10 }).append(user("hi"));
    const line: AddInput = { custom_id: "b", method: "POST", url: "/v1/chat/completions", body: { model: "grok-4", messages: [{ role: "user", content: "hi" }] } };
    for await (const prepared of prepareRequests([line])) if (prepared.batchRequestId !== "b") throw new Error("custom_id is the id");
    const skipped: InputError[] = [];
    const added: AddResult = await client.batch.add(batchId, [chat, line], { invalid: "skip", onInvalid: (e) => skipped.push(e), totalTimeoutMs: 10_000 });
    const done: BatchView = await client.batch.wait(batchId, { pollIntervalMs: 20, totalTimeoutMs: 10_000 });
    const status: BatchStatus = done.status;
    const texts: string[] = [`${added.requestsAdded}`, BatchMgmt.typeName, status, `${done.counts.succeeded}`, JSON.stringify(done.createTime)];
    for await (const r of client.batch.listBatchResults(batchId)) {
      const view: ResultView = r;
      if (view.ok && view.kind === "completion") texts.push(view.text, view.finishReason);
      else if (!view.ok) texts.push(view.error.message);
    }
    return texts;
  } catch (error) {
    if (error instanceof ApiError && error.code === Code.NotFound) return [];
    if (error instanceof InputError) throw new Error(`${error.field}: ${error.reason}`);
    throw error;
  } finally {
    client.close();
    await emu.stop();
  }
}
