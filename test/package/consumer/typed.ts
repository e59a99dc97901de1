// A TypeScript consumer, type-checked with the strictest options users turn on: the package's
// declarations must compile there, skipLibCheck off.
import { ApiError, Client, Code, InputError, user, type AddResult, type ClientOptions, type ResultView } from "xai-batch";
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
    const added: AddResult = await client.batch.add(batchId, [chat]);
    const texts: string[] = [`${added.requestsAdded}`, BatchMgmt.typeName];
    for await (const r of client.batch.listBatchResults(batchId)) {
      const view: ResultView = r;
      if (view.ok && view.kind === "completion") texts.push(view.text);
      else if (!view.ok) texts.push(view.error.message);
    }
    return texts;
  } catch (error) {
    if (error instanceof ApiError && error.code === Code.NotFound) return [];
    if (error instanceof InputError) throw new Error(error.message);
    throw error;
  } finally {
    client.close();
    await emu.stop();
  }
}
